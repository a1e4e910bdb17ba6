// Runs a boot's jobs (commands, schedule lists) one at a time, in arrival order, so each commits
// to flash before the next begins; a failed job is reported and never stops the queue.
export interface JobQueue {
  enqueue(job: () => Promise<void>): void;
  /** Resolves once every job queued so far has finished. */
  idle(): Promise<void>;
}

export function createJobQueue(onError: (err: unknown) => void): JobQueue {
  let chain: Promise<void> = Promise.resolve();
  return {
    enqueue(job) {
      chain = chain.then(job).catch(onError);
    },
    idle: () => chain,
  };
}
