// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
// the delay is uniform in [0, min(cap, base * 2^attempt)], so a thousand clients that lost the same
// hub at the same moment do not come back in lock-step.

export interface BackoffOptions {
  /** First ceiling, in ms. */
  baseMs: number;
  /** Largest delay, in ms. */
  maxMs: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

export function fullJitterDelay(
  attempt: number,
  { baseMs, maxMs, random = Math.random }: BackoffOptions,
): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
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
