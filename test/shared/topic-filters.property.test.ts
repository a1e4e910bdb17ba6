// Property tests for filter coverage: covers(a, b) must hold exactly when no topic matches b but
// not a, checked against topicMatches over every topic of a small alphabet.
import { describe, expect, it } from 'vitest';
import { filterCovers, isValidFilter, topicMatches } from '../../shared/topic-filters.js';

// A tiny deterministic PRNG, so a failure reproduces.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const LEVELS = ['a', 'b', ''];
function randomFilter(r: () => number): string {
  const n = 1 + Math.floor(r() * 4);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    if (i === n - 1 && x < 0.2) parts.push('#');
    else if (x < 0.45) parts.push('+');
    else parts.push(LEVELS[Math.floor(r() * LEVELS.length)] as string);
  }
  return parts.join('/');
}
// Every topic of up to 5 levels over the alphabet (a filter of 4 levels plus # reaches depth 5).
const TOPICS: string[] = [];
const grow = (prefix: string[], depth: number) => {
  const topic = prefix.join('/');
  if (topic.length > 0) TOPICS.push(topic); // a topic is at least one character
  if (depth === 0) return;
  for (const l of [...LEVELS, 'c']) grow([...prefix, l], depth - 1);
};
grow([], 5);

describe('topic filters', () => {
  it('matches as MQTT says', () => {
    expect(topicMatches('hearth/dev/+/state', 'hearth/dev/tv-1/state')).toBe(true);
    expect(topicMatches('hearth/dev/+/state', 'hearth/dev/tv-1/state/x')).toBe(false);
    expect(topicMatches('homeassistant/#', 'homeassistant')).toBe(true);
    expect(topicMatches('#', '$SYS/x')).toBe(false);
    expect(isValidFilter('a/#/b')).toBe(false);
    expect(isValidFilter('a/b+')).toBe(false);
    expect(isValidFilter('a/+/#')).toBe(true);
  });

  it('covers(a, b) exactly when every topic matching b matches a (2000 random pairs)', () => {
    const r = rng(19);
    let covered = 0;
    for (let i = 0; i < 2000; i++) {
      const a = randomFilter(r);
      const b = randomFilter(r);
      if (!isValidFilter(a) || !isValidFilter(b)) continue;
      const truth = TOPICS.every((t) => !topicMatches(b, t) || topicMatches(a, t));
      expect(filterCovers(a, b), `${a} covers ${b}`).toBe(truth);
      if (truth) covered++;
    }
    // Both answers occur often enough for the property to mean something.
    expect(covered).toBeGreaterThan(100);
    expect(covered).toBeLessThan(1900);
  });

  it('a filter covers itself, and # covers everything but $-topics', () => {
    const r = rng(7);
    for (let i = 0; i < 500; i++) {
      const f = randomFilter(r);
      if (!isValidFilter(f)) continue;
      expect(filterCovers(f, f)).toBe(true);
      expect(filterCovers('#', f)).toBe(true);
    }
    expect(filterCovers('#', '$SYS/broker')).toBe(false);
  });
});
