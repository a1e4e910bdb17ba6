// The worker thread that makes certificates for issue-off-thread.ts: one job per message, each
// answered with its id; it ends when the hub lets it go.
import { parentPort } from 'node:worker_threads';
import { type IssueJob, runIssueJob } from './issue-job.js';

parentPort?.on('message', ({ id, job }: { id: number; job: IssueJob }) => {
  runIssueJob(job).then(
    (result) => parentPort?.postMessage({ id, result }),
    (err: unknown) =>
      parentPort?.postMessage({ id, error: err instanceof Error ? err.message : String(err) }),
  );
});
