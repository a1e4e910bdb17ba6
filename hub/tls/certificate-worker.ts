// The worker thread that makes one certificate (issue-off-thread.ts starts it) and ends.
import { parentPort, workerData } from 'node:worker_threads';
import { type IssueJob, runIssueJob } from './issue-job.js';

parentPort?.postMessage(await runIssueJob(workerData as IssueJob));
