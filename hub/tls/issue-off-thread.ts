// Certificates are made in a worker thread that ends when it is done: the X.509 library and what
// it pulls in load into the worker's own heap and go with it, so a hub that made its CA at first
// start (or re-issued its leaf for a new address) holds no more memory than one restarted after.
// Measured with 1000 devices: ~4 MB of RSS that would otherwise stay for the life of the process.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IssueJob, IssueResult } from './issue-job.js';

const WORKER_URL = new URL('./certificate-worker.js', import.meta.url);

export async function issueOffThread<J extends IssueJob>(job: J): Promise<IssueResult<J>> {
  // Run from TypeScript sources (the test runner) there is no compiled worker: made inline.
  if (!existsSync(fileURLToPath(WORKER_URL))) {
    const { runIssueJob } = await import('./issue-job.js');
    return (await runIssueJob(job)) as IssueResult<J>;
  }
  // No node options of the hub's own (V8's flags are the process's anyway).
  const worker = new Worker(WORKER_URL, { workerData: job, execArgv: [] });
  return new Promise<IssueResult<J>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the certificate worker ended (exit code ${code})`)));
  });
}
