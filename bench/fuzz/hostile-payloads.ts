// Raw payloads for one schema-checked channel (an MQTT topic or an HTTP body): mostly valid values
// and near misses of them (a field dropped, added or retyped), plus arbitrary JSON, text that is not
// JSON, bytes that are not UTF-8, deep nesting, prototype keys and payloads just over the limit.
import fc from 'fast-check';
import { type Hints, type JsonSchema, schemaArbitrary } from './schema-arbitrary.js';

/** Keys that have broken JavaScript servers before. */
const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  'toString',
  '$where',
  'a'.repeat(300),
];

/** Replacements that break a value's type or range. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1.5,
    -0,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    ' ',
    '\u0000',
    '\ud800',
    'x'.repeat(5000),
    '1',
    'true',
    [],
    {},
    [[]],
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

type Path = Array<string | number>;

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (value && typeof value === 'object' && out.length < 200)
    for (const [k, v] of Object.entries(value))
      pathsOf(v, [...prefix, Array.isArray(value) ? Number(k) : k], out);
  return out;
}

type Mutation = 'replace' | 'delete' | 'add' | 'wrap';

/** One structural change at one place in a copy of `value`. */
function mutate(value: unknown, pick: number, how: Mutation, key: string, replacement: unknown): unknown {
  const copy = structuredClone(value);
  const paths = pathsOf(copy);
  const path = paths[pick % paths.length] as Path;
  if (path.length === 0) return how === 'wrap' ? [copy] : replacement;
  const parent = path.slice(0, -1).reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], copy) as
    | Record<string | number, unknown>
    | unknown[];
  const last = path[path.length - 1] as string | number;
  const target = parent as Record<string | number, unknown>;
  if (how === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete target[last];
  } else if (
    how === 'add' &&
    target[last] &&
    typeof target[last] === 'object' &&
    !Array.isArray(target[last])
  ) {
    // defineProperty, so `__proto__` becomes an own key that JSON.stringify writes out.
    Object.defineProperty(target[last], key, {
      value: replacement,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else if (how === 'wrap') {
    target[last] = [target[last]];
  } else {
    target[last] = replacement;
  }
  return copy;
}

export function nearMiss(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      valid,
      fc.nat(),
      fc.constantFrom<Mutation>('replace', 'replace', 'delete', 'add', 'wrap'),
      fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 12 })),
      hostileValue,
    )
    .map(([v, pick, how, key, replacement]) => mutate(v, pick, how, key, replacement));
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null');

/** Payload bytes for a channel whose body the schema describes and whose size limit is `maxBytes`. */
export function hostilePayload(
  schema: JsonSchema,
  maxBytes: number,
  hints: Hints = {},
  /** Known good bodies: fields that must agree (a capability and its value) rarely do by chance. */
  examples: readonly unknown[] = [],
): fc.Arbitrary<Buffer> {
  const drawn = schemaArbitrary(schema, hints);
  const valid = examples.length > 0 ? fc.oneof(drawn, fc.constantFrom(...examples)) : drawn;
  return fc.oneof(
    { weight: 6, arbitrary: valid.map(json) },
    { weight: 8, arbitrary: nearMiss(valid).map(json) },
    { weight: 2, arbitrary: fc.jsonValue().map(json) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
    {
      weight: 1,
      // Cut short: a valid document truncated anywhere.
      arbitrary: fc
        .tuple(valid.map(json), fc.nat())
        .map(([b, n]) => b.subarray(0, n % Math.max(b.length, 1))),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 100, max: 4000 })
        .map((depth) => Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
    },
    {
      weight: 1,
      // Just over the limit, so the size check and not the parser refuses it.
      arbitrary: fc
        .integer({ min: 1, max: 64 })
        .map((over) => Buffer.from(JSON.stringify({ pad: 'x'.repeat(maxBytes + over) }))),
    },
  );
}
