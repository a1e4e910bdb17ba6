// fast-check arbitraries from JSON Schema (draft 2020-12 as zod's toJSONSchema writes it, and as the
// OpenAPI document carries it), so the fuzzer derives its inputs from the same contract the hub
// validates with: MQTT payload schemas and every documented HTTP request body alike.
import fc from 'fast-check';

export type JsonSchema = boolean | { [key: string]: unknown };

/** Known good values for properties by name (a real device id for `deviceId`), mixed into the draw. */
export type Hints = Record<string, readonly unknown[]>;

const MAX_STRING = 80;
const ABSENT = Symbol('absent');
const MAX_ITEMS = 6;

/** Values that satisfy the schema's structure (the hub may still refuse them on meaning). */
export function schemaArbitrary(schema: JsonSchema, hints: Hints = {}): fc.Arbitrary<unknown> {
  const root = schema;
  const resolve = (s: JsonSchema): JsonSchema => {
    if (typeof s === 'object' && typeof s.$ref === 'string' && typeof root === 'object') {
      const name = s.$ref.replace(/^#\/(\$defs|definitions)\//, '');
      const defs = (root.$defs ?? root.definitions) as Record<string, JsonSchema> | undefined;
      return defs?.[name] ?? true;
    }
    return s;
  };

  const build = (raw: JsonSchema, depth: number): fc.Arbitrary<unknown> => {
    const s = resolve(raw);
    if (s === true || depth > 6) return fc.jsonValue({ maxDepth: 2 });
    if (s === false) return fc.constant(null);
    if ('const' in s) return fc.constant(s.const);
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
    const union = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
    if (union) return fc.oneof(...union.map((u) => build(u, depth + 1)));
    if (Array.isArray(s.allOf) && s.allOf.length > 0) return build(s.allOf[0] as JsonSchema, depth + 1);
    if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => build({ ...s, type }, depth)));
    switch (s.type) {
      case 'string':
        return stringArbitrary(s);
      case 'integer':
        return fc.integer({
          min: Math.max(bound(s.minimum, s.exclusiveMinimum, 1) ?? -1e6, Number.MIN_SAFE_INTEGER),
          max: Math.min(bound(s.maximum, s.exclusiveMaximum, -1) ?? 1e6, Number.MAX_SAFE_INTEGER),
        });
      case 'number':
        return numberArbitrary(s);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(build((s.items as JsonSchema) ?? true, depth + 1), {
          minLength: (s.minItems as number) ?? 0,
          maxLength: Math.min(
            (s.maxItems as number) ?? MAX_ITEMS,
            Math.max(MAX_ITEMS, (s.minItems as number) ?? 0),
          ),
        });
      case 'object':
        return objectArbitrary(s, depth);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };

  const objectArbitrary = (s: Record<string, unknown>, depth: number): fc.Arbitrary<unknown> => {
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((s.required ?? []) as string[]);
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, prop] of Object.entries(properties)) {
      const base = build(prop, depth + 1);
      const known = hints[name];
      const value = known?.length ? fc.oneof(fc.constantFrom(...known), base) : base;
      // An optional key is left out two times in three: bodies that set everything at once are
      // mostly refused for combining options that exclude each other.
      model[name] = required.has(name)
        ? value
        : fc.oneof({ weight: 2, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: value });
    }
    const fixed = fc
      .record(model)
      .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ABSENT)));
    const extra = s.additionalProperties;
    if (extra === undefined || extra === false) return fixed;
    const keys = s.propertyNames ? build(s.propertyNames as JsonSchema, depth + 1) : fc.string();
    const dictionary = fc.dictionary(
      keys.map((k) => String(k)),
      build(extra as JsonSchema, depth + 1),
      { maxKeys: 4 },
    );
    return fc.tuple(fixed, dictionary).map(([a, b]) => ({ ...b, ...(a as object) }));
  };

  return build(schema, 0);
}

/** `minimum`/`exclusiveMinimum` (or maximum) as one inclusive bound for integers. */
function bound(inclusive: unknown, exclusive: unknown, step: 1 | -1): number | undefined {
  if (typeof exclusive === 'number') return exclusive + step;
  return typeof inclusive === 'number' ? inclusive : undefined;
}

function stringArbitrary(s: Record<string, unknown>): fc.Arbitrary<string> {
  const minLength = (s.minLength as number) ?? 0;
  const maxLength = Math.min((s.maxLength as number) ?? MAX_STRING, Math.max(MAX_STRING, minLength));
  if (typeof s.pattern === 'string') {
    const matching = fc.stringMatching(new RegExp(s.pattern));
    // A pattern's own bounds usually match the lengths; a draw that does not is a near miss, kept.
    return matching.map((v) => (v.length > maxLength ? v.slice(0, maxLength) : v));
  }
  if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength, maxLength }) },
  );
}

function numberArbitrary(s: Record<string, unknown>): fc.Arbitrary<number> {
  const min = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : (s.minimum as number | undefined);
  const max = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : (s.maximum as number | undefined);
  return fc.oneof(
    fc.integer({ min: Math.max(Math.ceil(min ?? -1e6), -1e9), max: Math.min(Math.floor(max ?? 1e6), 1e9) }),
    fc.double({
      min: min ?? -1e12,
      max: max ?? 1e12,
      minExcluded: typeof s.exclusiveMinimum === 'number',
      maxExcluded: typeof s.exclusiveMaximum === 'number',
      noNaN: true,
      noDefaultInfinity: true,
    }),
  );
}
