// Admission control for new MQTT connections: a token bucket releases connects at a steady rate,
// so a thousand devices reconnecting at once wait their turn in a bounded queue instead of
// starving the event loop (and the API) of time. Past the queue's bound, connects are refused
// and the clients' own backoff spreads them out.
import { createTokenBucket } from '../security/rate-limiter.js';

export interface Admission {
  /** Resolves true when the connect may proceed, false when the queue is full. */
  admit(): Promise<boolean>;
  queued(): number;
  close(): void;
}

export function createAdmission(perSecond: number, burst: number, maxQueue = 5000): Admission {
  const bucket = createTokenBucket(burst, perSecond);
  const queue: Array<(ok: boolean) => void> = [];
  let timer: NodeJS.Timeout | undefined;

  const drain = () => {
    timer = undefined;
    while (queue.length > 0 && bucket.tryTake()) (queue.shift() as (ok: boolean) => void)(true);
    if (queue.length > 0) timer = setTimeout(drain, Math.max(1, bucket.waitMs()));
  };

  return {
    admit() {
      if (queue.length === 0 && bucket.tryTake()) return Promise.resolve(true);
      if (queue.length >= maxQueue) return Promise.resolve(false);
      return new Promise((resolve) => {
        queue.push(resolve);
        timer ??= setTimeout(drain, Math.max(1, bucket.waitMs()));
      });
    },
    queued: () => queue.length,
    close() {
      if (timer) clearTimeout(timer);
      for (const resolve of queue.splice(0)) resolve(false);
    },
  };
}
