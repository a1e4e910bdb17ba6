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
  /**
   * After the quick attempts, while the outage is younger than `forMs`, the ceiling stays at
   * `capMs`: a hub that was away for a few minutes (a Pi rebooting, an update) has every device
   * back within a few seconds of listening again. Only a longer outage lets the ceiling grow.
   */
  hold?: { capMs: number; forMs: number };
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
  /** Clock for `hold`, in ms; injectable for tests. */
  now?: () => number;
}

export function fullJitterDelay(
  attempt: number,
  { baseMs, maxMs, quick, hold, random = Math.random }: BackoffOptions,
  /** How long the outage has lasted so far (for `hold`). */
  elapsedMs = 0,
): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  const cap =
    quick && attempt < quick.attempts
      ? Math.min(quick.capMs, maxMs)
      : hold && elapsedMs < hold.forMs
        ? Math.min(hold.capMs, maxMs)
        : maxMs;
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
  const now = options.now ?? Date.now;
  let attempts = 0;
  let since = 0;
  return {
    next() {
      if (attempts === 0) since = now();
      const delay = fullJitterDelay(attempts, options, now() - since);
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
