// MQTT topic-filter algebra for integration users: whether a topic matches a filter, whether one
// filter covers another (every topic the inner one can match, the outer one matches too), and
// what a well-formed filter is (MQTT 3.1.1 §4.7).

/** A valid filter: `#` only as the whole last level, `+` only as a whole level, no NUL. */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 256 || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every(
    (l, i) => (l === '#' ? i === levels.length - 1 : !l.includes('#')) && (l === '+' || !l.includes('+')),
  );
}

/** Whether `topic` (no wildcards) matches `filter`. `#` also matches its parent level (a/# matches a). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  // Wildcards at the first level do not match $-topics (MQTT-4.7.2-1).
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether every topic `inner` can match is matched by `outer`. */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const n = inner.split('/');
  // An outer filter starting with a wildcard misses $-topics that a literal inner one may name.
  if (inner.startsWith('$') && (o[0] === '+' || o[0] === '#')) return false;
  for (let i = 0; i < o.length; i++) {
    if (o[i] === '#') return true;
    if (i >= n.length) return false; // inner is shorter: it matches topics outer cannot
    // inner matches anything from here; only # does too (and +/# at the top: no topic is empty).
    if (n[i] === '#') return i === 0 && o.length === 2 && o[0] === '+' && o[1] === '#';
    if (o[i] === '+') continue;
    if (n[i] !== o[i]) return false; // a literal outer level: inner must name the same (not +)
  }
  return o.length === n.length;
}
