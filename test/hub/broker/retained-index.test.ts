import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetainedIndex } from '../../../hub/broker/retained-index.js';

/** MQTT 3.1.1 §4.7 topic filter matching, written plainly as the reference. */
function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if ((f[0] === '+' || f[0] === '#') && t[0]?.startsWith('$')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

const level = fc.constantFrom('a', 'b', 'hearth', '$SYS', '');
const topic = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join('/'));
const filter = fc
  .array(fc.constantFrom('a', 'b', 'hearth', '$SYS', '', '+'), { minLength: 1, maxLength: 4 })
  .chain((l) => fc.boolean().map((hash) => (hash ? [...l.slice(0, -1), '#'] : l).join('/')));
const packet = (t: string, payload: string) =>
  ({ cmd: 'publish', topic: t, payload: Buffer.from(payload), qos: 0, retain: true }) as never;

describe('retained messages index', () => {
  it('finds exactly the retained topics a filter matches, after any sequence of stores and clears', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(topic, fc.constantFrom('', 'x', 'y')), { maxLength: 40 }),
        fc.array(filter, { minLength: 1, maxLength: 10 }),
        (ops, filters) => {
          const index = new RetainedIndex();
          const live = new Map<string, string>();
          for (const [t, payload] of ops) {
            index.store(packet(t, payload));
            if (payload === '') live.delete(t);
            else live.set(t, payload);
          }
          expect(index.size).toBe(live.size);
          for (const f of filters) {
            const got = [...index.match(f)].map(
              (p) => `${(p as { topic: string }).topic}=${(p as { payload: Buffer }).payload}`,
            );
            const want = [...live].filter(([t]) => matches(f, t)).map(([t, v]) => `${t}=${v}`);
            expect(got.sort()).toEqual(want.sort());
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps a copy: changing the published packet later does not change what is retained', () => {
    const index = new RetainedIndex();
    const p = packet('hearth/hub/status', 'online') as { topic: string; payload: Buffer };
    index.store(p as never);
    p.topic = 'other';
    expect([...index.match('hearth/hub/status')]).toHaveLength(1);
  });
});
