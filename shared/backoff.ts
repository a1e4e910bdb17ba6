// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
// the delay is uniform in [0, min(cap, base * 2^attempt)], so a thousand clients that lost the same
// hub at the same moment do not come back in lock-step.

export interface BackoffOptions {
  /** First ceiling, in ms. */
  baseMs: number;
  /** Largest delay, in ms. */
  maxMs: number;
  /**
   * For the first `attempts` failures the ceiling stops at `capMs`: a hub restart takes seconds, and
   * waiting up to `maxMs` for it would keep the home dark for no reason. After that the ceiling
   * jumps to `maxMs`, so a long outage does not keep the LAN busy.
   */
  quick?: { capMs: number; attempts: number };
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

export function fullJitterDelay(
  attempt: number,
  { baseMs, maxMs, quick, random = Math.random }: BackoffOptions,
): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const cap = quick && attempt < quick.attempts ? Math.min(quick.capMs, maxMs) : maxMs;
  const ceiling = Math.min(cap, baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

export interface Backoff {
  /** The delay before the next attempt; each call counts one more failure. */
  next(): number;
  /** Call after a success: the next failure starts from the base again. */
  reset(): void;
  readonly attempts: number;
}

export function createBackoff(options: BackoffOptions): Backoff {
  let attempts = 0;
  return {
    next() {
      const delay = fullJitterDelay(attempts, options);
      attempts += 1;
      return delay;
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
