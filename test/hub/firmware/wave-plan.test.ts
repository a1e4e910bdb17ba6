import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../hub/firmware/routes.js';
import { parseWaves, planWaves } from '../../../hub/firmware/wave-plan.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `d${String(i).padStart(3, '0')}`);

describe('wave planning', () => {
  it('puts the canary first, then cumulative shares, every device exactly once', () => {
    const plan = planWaves({ devices: ids(50), canary: 1, waves: [10, 50, 100] });
    expect(plan.map((w) => w.length)).toEqual([1, 4, 20, 25]);
    expect(plan.flat()).toEqual(ids(50));
  });

  it('drops empty waves for a small fleet and handles no canary', () => {
    expect(planWaves({ devices: ids(2), canary: 1, waves: [10, 50, 100] }).map((w) => w.length)).toEqual([
      1, 1,
    ]);
    expect(planWaves({ devices: ids(10), canary: 0, waves: [50, 100] }).map((w) => w.length)).toEqual([5, 5]);
    expect(planWaves({ devices: ids(3), canary: 5, waves: [100] }).map((w) => w.length)).toEqual([3]);
  });

  it('parses waves and refuses ones that do not grow to 100%', () => {
    expect(parseWaves('10%,50%,100%')).toEqual([10, 50, 100]);
    expect(parseWaves('100')).toEqual([100]);
    expect(() => parseWaves('50%,10%,100%')).toThrow(/grow/);
    expect(() => parseWaves('10%,50%')).toThrow(/100%/);
    expect(() => parseWaves('ten')).toThrow(/whole percentages/);
  });
});

describe('Range headers', () => {
  it('reads the forms devices and tools send', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=10-', 100)).toEqual([10, 99]);
    expect(parseRange('bytes=10-19', 100)).toEqual([10, 19]);
    expect(parseRange('bytes=-5', 100)).toEqual([95, 99]);
    expect(parseRange('bytes=90-500', 100)).toEqual([90, 99]);
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
  });
});
