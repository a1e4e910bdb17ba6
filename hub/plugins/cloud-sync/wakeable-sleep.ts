// A sleep that something else can cut short: the drainer waits on it between batches and retries,
// and new outbox rows, a dropped connection or stop() wake it at once.
export interface WakeableSleep {
  sleep(ms: number): Promise<void>;
  /** Ends the current sleep, if any. */
  wake(): void;
}

export function createWakeableSleep(): WakeableSleep {
  let wakeUp: (() => void) | undefined;
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      }),
    wake: () => wakeUp?.(),
  };
}
