import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBackoff, fullJitterDelay } from '../../shared/backoff.js';
import { decodeJson } from '../../shared/decode.js';
import { DeviceStateSchema } from '../../shared/payloads.js';
import {
  DEVICE_CHANNELS,
  deviceTopic,
  HUB_CHANNELS,
  hubTopic,
  PROVISION_CHANNELS,
  parseTopic,
  provisionTopic,
} from '../../shared/topics.js';

const idChars = 'abcdefghijklmnopqrstuvwxyz0123456789';
const deviceId = fc
  .tuple(fc.constantFrom(...idChars), fc.string({ unit: fc.constantFrom(...`${idChars}-`), maxLength: 62 }))
  .map(([a, b]) => a + b);
const claimId = fc.string({ unit: fc.constantFrom(...idChars), minLength: 8, maxLength: 32 });

describe('topics (property tests)', () => {
  it('device topics round-trip for every channel and valid id', () => {
    fc.assert(
      fc.property(deviceId, fc.constantFrom(...DEVICE_CHANNELS), (id, channel) => {
        expect(parseTopic(deviceTopic(id, channel))).toEqual({ kind: 'device', deviceId: id, channel });
      }),
      { numRuns: 500 },
    );
  });

  it('provision and hub topics round-trip', () => {
    fc.assert(
      fc.property(claimId, fc.constantFrom(...PROVISION_CHANNELS), (claim, channel) => {
        expect(parseTopic(provisionTopic(claim, channel))).toEqual({
          kind: 'provision',
          claimId: claim,
          channel,
        });
      }),
      { numRuns: 300 },
    );
    for (const c of HUB_CHANNELS) expect(parseTopic(hubTopic(c))).toEqual({ kind: 'hub', channel: c });
  });

  it('whatever parses rebuilds to exactly the same topic; near-misses parse to null', () => {
    // Topics of the contract, and the same topics with one level replaced by a near-miss (upper
    // case, a wildcard, an empty or extra level, an unknown channel), so that about half parse
    // and the rebuild check runs on every kind.
    const valid = fc.oneof(
      fc.tuple(deviceId, fc.constantFrom(...DEVICE_CHANNELS)).map(([id, c]) => deviceTopic(id, c)),
      fc.tuple(claimId, fc.constantFrom(...PROVISION_CHANNELS)).map(([id, c]) => provisionTopic(id, c)),
      fc.constantFrom(...HUB_CHANNELS).map((c) => hubTopic(c)),
    );
    const nearMiss = fc.constantFrom('', '+', '#', 'TV', 'a b', 'é', 'reboot', 'x/y', '-a', 'a'.repeat(64));
    const topic = fc.oneof(
      valid,
      fc.tuple(valid, fc.nat(), nearMiss).map(([t, at, miss]) => {
        const levels = t.split('/');
        levels.splice(at % (levels.length + 1), at % 3 === 0 ? 0 : 1, miss);
        return levels.join('/');
      }),
    );
    let parsedCount = 0;
    let runs = 0;
    fc.assert(
      fc.property(topic, (s) => {
        runs++;
        const parsed = parseTopic(s);
        if (parsed === null) return;
        parsedCount++;
        const rebuilt =
          parsed.kind === 'device'
            ? deviceTopic(parsed.deviceId, parsed.channel)
            : parsed.kind === 'hub'
              ? hubTopic(parsed.channel)
              : provisionTopic(parsed.claimId, parsed.channel);
        expect(rebuilt).toBe(s);
      }),
      { numRuns: 2000 },
    );
    // The generator must reach the assertion often, and miss often: both halves are exercised.
    expect(parsedCount).toBeGreaterThan(runs * 0.05);
    expect(parsedCount).toBeLessThan(runs * 0.95);
  });

  it('anything outside the contract parses to null, and builders refuse bad ids', () => {
    for (const t of [
      'hearth/dev/+/state',
      'hearth/dev/#',
      'hearth/dev/TV/state',
      'hearth/dev/tv/state/x',
      'other/dev/tv/state',
      'hearth/dev/tv/reboot',
      'hearth/hub/clock',
    ]) {
      expect(parseTopic(t), t).toBeNull();
    }
    for (const bad of ['', 'UPPER', '-dash', 'a'.repeat(64), 'with/slash', '+', '#']) {
      expect(() => deviceTopic(bad, 'state'), bad).toThrow(TypeError);
    }
  });
});

describe('full-jitter backoff (property tests)', () => {
  it('stays within [0, min(cap, base·2^n)) and starts over after reset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.integer({ min: 0, max: 60 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (base, cap, attempt, r) => {
          const d = fullJitterDelay(attempt, { baseMs: base, maxMs: cap, random: () => r });
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(Math.min(cap, base * 2 ** Math.min(attempt, 30)));
        },
      ),
      { numRuns: 1000 },
    );
    const b = createBackoff({ baseMs: 100, maxMs: 10_000, random: () => 0.999 });
    const first = [b.next(), b.next(), b.next()];
    expect(first).toEqual([99, 199, 399]);
    b.reset();
    expect(b.next()).toBe(99);
  });

  it('holds the ceiling at the quick cap for the first attempts, then grows to the maximum', () => {
    const delays = (attempts: number[]) =>
      attempts.map((a) =>
        fullJitterDelay(a, {
          baseMs: 500,
          maxMs: 30_000,
          quick: { capMs: 2000, attempts: 30 },
          random: () => 0.999,
        }),
      );
    expect(delays([0, 1, 2, 3, 29])).toEqual([499, 999, 1998, 1998, 1998]);
    expect(delays([30, 40])).toEqual([29_970, 29_970]);
  });

  it('keeps a short ceiling while the outage is younger than the hold window, then grows', () => {
    let t = 0;
    const b = createBackoff({
      baseMs: 500,
      maxMs: 30_000,
      quick: { capMs: 1000, attempts: 3 },
      hold: { capMs: 3000, forMs: 300_000 },
      random: () => 0.999,
      now: () => t,
    });
    expect([b.next(), b.next(), b.next()]).toEqual([499, 999, 999]);
    t = 299_999;
    expect(b.next()).toBe(2997);
    t = 300_000;
    expect(b.next()).toBe(7992);
    b.reset();
    t = 400_000;
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([499, 999, 999, 2997]);
  });
});

describe('decodeJson never throws', () => {
  it('returns an envelope for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeJson(DeviceStateSchema, bytes);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });
});
