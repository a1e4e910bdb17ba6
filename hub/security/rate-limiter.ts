// A token bucket: `capacity` tokens, refilled at `perSecond`. Used for pairing attempts and
// connection admission; time is injected so tests need no sleeping.
export interface TokenBucket {
  /** Takes a token if one is there. */
  tryTake(): boolean;
  /** Milliseconds until a token will be there (0 when one is). */
  waitMs(): number;
}

export function createTokenBucket(
  capacity: number,
  perSecond: number,
  now: () => number = Date.now,
): TokenBucket {
  let tokens = capacity;
  let last = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(capacity, tokens + ((t - last) / 1000) * perSecond);
    last = t;
  };
  return {
    tryTake() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    waitMs() {
      refill();
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / perSecond) * 1000);
    },
  };
}
