// Certificates are made in a worker thread that ends soon after its last job: the X.509 library
// and what it pulls in load into the worker's own heap and go with it, so a hub that made its CA
// at first start (or re-issued its leaf for a new address) holds about what one restarted after
// does (82 against 79 MB idle; 88 MB with the library in the hub's own heap). The CA and the leaf
// of a first start share one worker, so the library loads once.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { IssueJob, IssueResult } from './issue-job.js';

const WORKER_URL = new URL('./certificate-worker.js', import.meta.url);
/** How long an idle worker waits for the next job (the leaf follows the CA within milliseconds). */
const IDLE_MS = 500;
/** A job that takes longer has hung (a CA takes milliseconds): the worker is ended, its jobs fail. */
const JOB_TIMEOUT_MS = 30_000;

type Reply = { id: number; result?: unknown; error?: string };
interface Running {
  worker: Worker;
  pending: Map<number, { resolve(v: unknown): void; reject(e: Error): void }>;
  idle?: NodeJS.Timeout;
  failAll(err: Error): void;
}

let running: Running | undefined;
let nextId = 0;

function start(): Running {
  // No node options of the hub's own (V8's flags are the process's anyway).
  const worker = new Worker(WORKER_URL, { execArgv: [] });
  const r: Running = {
    worker,
    pending: new Map(),
    failAll(err) {
      if (running === r) running = undefined;
      for (const p of r.pending.values()) p.reject(err);
      r.pending.clear();
    },
  };
  worker.on('message', ({ id, result, error }: Reply) => {
    const p = r.pending.get(id);
    r.pending.delete(id);
    if (error === undefined) p?.resolve(result);
    else p?.reject(new Error(error));
    idleIfDone(r);
  });
  worker.on('error', r.failAll);
  worker.on('exit', (code) => r.failAll(new Error(`the certificate worker ended (exit code ${code})`)));
  return r;
}

function idleIfDone(r: Running): void {
  if (r.pending.size > 0) return;
  // Idle, it holds nothing open: a CLI command that made a certificate exits when it is done.
  r.worker.unref();
  clearTimeout(r.idle);
  r.idle = setTimeout(() => {
    if (running === r) running = undefined;
    void r.worker.terminate();
  }, IDLE_MS).unref();
}

export async function issueOffThread<J extends IssueJob>(job: J): Promise<IssueResult<J>> {
  // Run from TypeScript sources (the test runner) there is no compiled worker: made inline.
  if (!existsSync(fileURLToPath(WORKER_URL))) {
    const { runIssueJob } = await import('./issue-job.js');
    return (await runIssueJob(job)) as IssueResult<J>;
  }
  running ??= start();
  const r = running;
  clearTimeout(r.idle);
  r.worker.ref();
  const id = nextId++;
  return new Promise<IssueResult<J>>((resolve, reject) => {
    const hung = setTimeout(() => {
      r.failAll(new Error(`the certificate worker did not answer within ${JOB_TIMEOUT_MS / 1000} s`));
      void r.worker.terminate();
    }, JOB_TIMEOUT_MS);
    r.pending.set(id, {
      resolve(v) {
        clearTimeout(hung);
        resolve(v as IssueResult<J>);
      },
      reject(e) {
        clearTimeout(hung);
        reject(e);
      },
    });
    try {
      r.worker.postMessage({ id, job });
    } catch (err) {
      r.pending.get(id)?.reject(err as Error);
      r.pending.delete(id);
      idleIfDone(r);
    }
  });
}
