// One interval for every device in a process (a fleet of 1000 thermostats shares one timer, not
// 1000): each tick calls every registered device with the elapsed time.
export interface Ticker {
  add(fn: (elapsedMs: number) => void): () => void;
  stop(): void;
}

export function createTicker(periodMs: number, now: () => number = () => performance.now()): Ticker {
  const listeners = new Set<(elapsedMs: number) => void>();
  let timer: NodeJS.Timeout | undefined;
  let last = now();
  const run = () => {
    const t = now();
    const elapsed = t - last;
    last = t;
    for (const fn of listeners) fn(elapsed);
  };
  return {
    add(fn) {
      listeners.add(fn);
      if (!timer) {
        last = now();
        timer = setInterval(run, periodMs);
        timer.unref();
      }
      return () => {
        listeners.delete(fn);
      };
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      listeners.clear();
    },
  };
}
