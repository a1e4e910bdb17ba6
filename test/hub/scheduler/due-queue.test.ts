// The scheduler's single timer on fake timers: earliest first, one wake-up for many due at once,
// replacement and removal, and a long sleep broken up so a wall-clock jump is noticed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDueQueue, type DueItem } from '../../../hub/scheduler/due-queue.js';

describe('due queue', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('wakes once for everything due at the same instant, earliest first', async () => {
    const batches: DueItem[][] = [];
    const q = createDueQueue({ now: Date.now, onDue: (items) => batches.push(items) });
    q.start();
    for (let i = 0; i < 1000; i++) q.set(`s${i}`, 1_005_000);
    q.set('early', 1_002_000);
    q.set('late', 1_009_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(batches).toEqual([[{ key: 'early', at: 1_002_000 }]]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(batches).toHaveLength(2);
    expect(batches[1]).toHaveLength(1000);
    expect(q.size).toBe(1);
    q.stop();
  });

  it('replaces and removes entries', async () => {
    const seen: string[] = [];
    const q = createDueQueue({
      now: Date.now,
      onDue: (items) => seen.push(...items.map((i) => `${i.key}@${i.at}`)),
    });
    q.start();
    q.set('a', 1_001_000);
    q.set('a', 1_003_000);
    q.set('b', 1_002_000);
    q.delete('b');
    q.set('c', 1_002_500);
    q.set('c', null);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen).toEqual(['a@1003000']);
    q.stop();
  });

  it('keys set from onDue keep going; stop silences it', async () => {
    let count = 0;
    const q = createDueQueue({
      now: Date.now,
      onDue: (items, now) => {
        count += items.length;
        q.set('tick', now + 1000);
      },
    });
    q.start();
    q.set('tick', Date.now() + 1000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(count).toBe(5);
    q.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(count).toBe(5);
  });

  it('notices a wall clock that jumped forward within maxSleepMs', async () => {
    const fired: number[] = [];
    let offset = 0;
    const q = createDueQueue({
      now: () => Date.now() + offset,
      onDue: (items) => fired.push(items.length),
      maxSleepMs: 10_000,
    });
    q.start();
    q.set('far', Date.now() + 3600_000);
    offset = 3600_000; // the wall clock was corrected by an hour
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired).toEqual([1]);
    q.stop();
  });
});
