// The capability model: what a device can do, described as data so the phone app renders controls
// from descriptors and a new device type needs no UI code. Each capability maps onto a Home
// Assistant MQTT discovery component so the hub can publish `homeassistant/…/config` too.
import { z } from 'zod';
import { ecosystemCatalog } from './capabilities-ecosystem.js';
import { HearthError } from './errors.js';

/** setting: idempotent desired value. action: does something each time (never twice). sensor: read-only.
 *  feature: something the device can do for itself (e.g. keep schedules), no control. */
export type CapabilityKind = 'setting' | 'action' | 'sensor' | 'feature';
/** `color`: a `#rrggbb` string. */
export type ValueType = 'boolean' | 'integer' | 'number' | 'enum' | 'color' | 'none';
export const HA_COMPONENTS = [
  'switch',
  'number',
  'select',
  'button',
  'light',
  'climate',
  'sensor',
  'binary_sensor',
  'cover',
  'lock',
  'fan',
] as const;
export type HaComponent = (typeof HA_COMPONENTS)[number];

export interface ActionParam {
  type: 'integer';
  min: number;
  max: number;
  default: number;
}

/**
 * Who wins when a setting's reported value drifts from the desired one with no command in flight
 * (a device twin, as AWS IoT shadows and Matter attributes work):
 * - `hub`: the desired value stands; the hub sends it again (on reconnect and on drift).
 * - `device`: the device's local change stands (a TV's IR remote, a wall switch); desired follows it.
 * Settings default to `hub`; a model's declaration may say `device`.
 */
export type TwinPolicy = 'hub' | 'device';
export const TWIN_POLICIES = ['hub', 'device'] as const;

/** What the catalog says of a capability (its name aside): one definition, for the hub and the wire. */
const CapabilityEntrySchema = z.object({
  kind: z.enum(['setting', 'action', 'sensor', 'feature']),
  type: z.enum(['boolean', 'integer', 'number', 'enum', 'color', 'none']),
  label: z.string(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().optional(),
  unit: z.string().optional(),
  options: z.array(z.string()).readonly().optional(),
  params: z
    .record(
      z.string(),
      z.object({ type: z.literal('integer'), min: z.number(), max: z.number(), default: z.number() }),
    )
    .optional(),
  ha: z.enum(HA_COMPONENTS).nullable(),
  /** Settings only: who wins on drift (see TwinPolicy). */
  twin: z.enum(TWIN_POLICIES).optional(),
  /** Generic capabilities (a reading, a level, an option): a declaration sets bounds and options freely. */
  open: z.boolean().optional(),
});

/** A capability as the hub describes it (CapabilityDescriptorSchema below is its one definition). */
export type CapabilityDescriptor = z.infer<typeof CapabilityDescriptorSchema>;

const catalog = {
  power: { kind: 'setting', type: 'boolean', label: 'Power', ha: 'switch' },
  channel: { kind: 'setting', type: 'integer', label: 'Channel', min: 1, max: 9999, step: 1, ha: 'number' },
  volume: {
    kind: 'setting',
    type: 'integer',
    label: 'Volume',
    min: 0,
    max: 100,
    step: 1,
    unit: '%',
    ha: 'number',
  },
  mute: { kind: 'setting', type: 'boolean', label: 'Mute', ha: 'switch' },
  input: {
    kind: 'setting',
    type: 'enum',
    label: 'Input',
    options: ['tv', 'hdmi1', 'hdmi2', 'hdmi3', 'av'],
    ha: 'select',
  },
  feed: {
    kind: 'action',
    type: 'none',
    label: 'Feed',
    params: { portions: { type: 'integer', min: 1, max: 10, default: 1 } },
    ha: 'button',
  },
  brightness: {
    kind: 'setting',
    type: 'integer',
    label: 'Brightness',
    min: 0,
    max: 100,
    step: 1,
    unit: '%',
    ha: 'light',
  },
  color_temp: {
    kind: 'setting',
    type: 'integer',
    label: 'Colour temperature',
    min: 153,
    max: 500,
    step: 1,
    unit: 'mired',
    ha: 'light',
  },
  temperature: {
    kind: 'sensor',
    type: 'number',
    label: 'Temperature',
    min: -40,
    max: 125,
    unit: '°C',
    ha: 'sensor',
  },
  target_temperature: {
    kind: 'setting',
    type: 'number',
    label: 'Target temperature',
    min: 5,
    max: 35,
    step: 0.5,
    unit: '°C',
    ha: 'climate',
  },
  mode: {
    kind: 'setting',
    type: 'enum',
    label: 'Mode',
    options: ['off', 'heat', 'cool', 'auto'],
    ha: 'climate',
  },
  contact: { kind: 'sensor', type: 'boolean', label: 'Contact', ha: 'binary_sensor' },
  battery: { kind: 'sensor', type: 'integer', label: 'Battery', min: 0, max: 100, unit: '%', ha: 'sensor' },
  energy: { kind: 'sensor', type: 'number', label: 'Energy', min: 0, max: 1e9, unit: 'kWh', ha: 'sensor' },
  hopper: {
    kind: 'sensor',
    type: 'integer',
    label: 'Hopper level',
    min: 0,
    max: 100,
    unit: '%',
    ha: 'sensor',
  },
  schedules: { kind: 'feature', type: 'none', label: 'Local schedules', ha: null },
  ...ecosystemCatalog,
} as const satisfies Record<string, z.infer<typeof CapabilityEntrySchema>>;

export type CapabilityName = keyof typeof catalog;
export const CAPABILITY_NAMES = Object.keys(catalog) as CapabilityName[];
export const CapabilityNameSchema = z.enum(CAPABILITY_NAMES as [CapabilityName, ...CapabilityName[]]);

/** A capability's full description: the catalog entry merged with what the device declared. */
export const CapabilityDescriptorSchema = CapabilityEntrySchema.extend({ name: CapabilityNameSchema });

export function isCapabilityName(value: string): value is CapabilityName {
  return Object.hasOwn(catalog, value);
}

/** The catalog's descriptor for a capability. */
export function capabilityDescriptor(name: CapabilityName): CapabilityDescriptor {
  const base = catalog[name] as Omit<CapabilityDescriptor, 'name'>;
  return { name, ...base, ...(base.kind === 'setting' ? { twin: 'hub' as const } : {}) };
}

/**
 * What a device declares in its `info`: a capability name, optionally narrowed (a TV with fewer
 * inputs, a channel range). A declaration may narrow the catalog, never widen it.
 */
export const CapabilityDeclarationSchema = z
  .strictObject({
    name: CapabilityNameSchema,
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    options: z.array(z.string().min(1).max(32)).min(1).max(32).optional(),
    twin: z.enum(TWIN_POLICIES).optional(),
    /** What the device calls it ("Desk lamp", "Linkquality"); the catalog's label otherwise. */
    label: z.string().min(1).max(64).optional(),
    unit: z.string().min(1).max(16).optional(),
    step: z.number().positive().finite().optional(),
  })
  .superRefine((decl, ctx) => {
    const base = capabilityDescriptor(decl.name);
    if (decl.min !== undefined && decl.max !== undefined && decl.min > decl.max)
      ctx.addIssue({ code: 'custom', message: `${decl.name}.min is above its max` });
    if (base.open) return;
    if (decl.twin !== undefined && base.kind !== 'setting')
      ctx.addIssue({ code: 'custom', message: `${decl.name} is not a setting: it takes no twin policy` });
    if (decl.options !== undefined) {
      if (base.type !== 'enum') ctx.addIssue({ code: 'custom', message: `${decl.name} takes no options` });
      else {
        const unknown = decl.options.filter((o) => !base.options?.includes(o));
        if (unknown.length > 0)
          ctx.addIssue({ code: 'custom', message: `${decl.name} has no option(s) ${unknown.join(', ')}` });
      }
    }
    for (const bound of ['min', 'max'] as const) {
      const v = decl[bound];
      if (v === undefined) continue;
      if (base.min === undefined || base.max === undefined)
        ctx.addIssue({ code: 'custom', message: `${decl.name} takes no ${bound}` });
      else if (v < base.min || v > base.max)
        ctx.addIssue({
          code: 'custom',
          message: `${decl.name}.${bound} must be within ${base.min}..${base.max}`,
        });
    }
  });
export type CapabilityDeclaration = z.infer<typeof CapabilityDeclarationSchema>;

/** The full descriptor for a device's declaration: the catalog entry, narrowed. */
export function describeCapability(decl: CapabilityDeclaration): CapabilityDescriptor {
  const base = capabilityDescriptor(decl.name);
  return {
    ...base,
    ...(decl.min !== undefined ? { min: decl.min } : {}),
    ...(decl.max !== undefined ? { max: decl.max } : {}),
    ...(decl.options !== undefined ? { options: decl.options } : {}),
    ...(decl.twin !== undefined ? { twin: decl.twin } : {}),
    ...(decl.label !== undefined ? { label: decl.label } : {}),
    ...(decl.unit !== undefined ? { unit: decl.unit } : {}),
    ...(decl.step !== undefined ? { step: decl.step } : {}),
  };
}

export type SettingValue = boolean | number | string;
export type ActionParams = Record<string, number>;

/** What a command asks of one capability: a setting's value or an action's parameters. */
export interface CapabilityRequest {
  capability: string;
  value?: SettingValue | undefined;
  params?: Record<string, unknown> | undefined;
}

/**
 * Checks a request against the device's descriptors and returns it normalised (action parameters
 * with their defaults filled in). Throws a HearthError with the code a caller should see.
 */
export function validateRequest(
  descriptors: readonly CapabilityDescriptor[],
  request: CapabilityRequest,
): { capability: CapabilityName; value?: SettingValue; params?: ActionParams } {
  const descriptor = descriptors.find((d) => d.name === request.capability);
  if (!descriptor) {
    const code = isCapabilityName(request.capability) ? 'unsupported' : 'unknown_capability';
    throw new HearthError(code, `this device has no capability "${request.capability}"`);
  }
  const name = descriptor.name;
  if (descriptor.kind === 'sensor' || descriptor.kind === 'feature') {
    throw new HearthError('unsupported', `${name} is read-only`);
  }
  if (descriptor.kind === 'action') {
    if (request.value !== undefined)
      throw new HearthError('invalid_payload', `${name} is an action: send params, not a value`);
    return { capability: name, params: validateParams(descriptor, request.params ?? {}) };
  }
  if (request.params !== undefined)
    throw new HearthError('invalid_payload', `${name} is a setting: send a value, not params`);
  if (request.value === undefined) throw new HearthError('invalid_payload', `${name} needs a value`);
  return { capability: name, value: validateValue(descriptor, request.value) };
}

function validateValue(d: CapabilityDescriptor, value: unknown): SettingValue {
  switch (d.type) {
    case 'boolean':
      if (typeof value !== 'boolean')
        throw new HearthError('invalid_payload', `${d.name} must be true or false`);
      return value;
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new HearthError('invalid_payload', `${d.name} must be a number`);
      if (d.type === 'integer' && !Number.isInteger(value))
        throw new HearthError('invalid_payload', `${d.name} must be a whole number`);
      if ((d.min !== undefined && value < d.min) || (d.max !== undefined && value > d.max))
        throw new HearthError('out_of_range', `${d.name} must be between ${d.min} and ${d.max}`);
      return value;
    }
    case 'color':
      if (typeof value !== 'string' || !/^#[0-9a-f]{6}$/.test(value))
        throw new HearthError('invalid_payload', `${d.name} must be a colour like #ff8800`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !d.options?.includes(value))
        throw new HearthError('out_of_range', `${d.name} must be one of ${d.options?.join(', ')}`);
      return value;
    default:
      throw new HearthError('unsupported', `${d.name} takes no value`);
  }
}

function validateParams(d: CapabilityDescriptor, params: Record<string, unknown>): ActionParams {
  const spec = d.params ?? {};
  const out: ActionParams = {};
  for (const key of Object.keys(params)) {
    if (!Object.hasOwn(spec, key))
      throw new HearthError('invalid_payload', `${d.name} has no parameter "${key}"`);
  }
  for (const [key, p] of Object.entries(spec)) {
    const raw = params[key] ?? p.default;
    if (typeof raw !== 'number' || !Number.isInteger(raw))
      throw new HearthError('invalid_payload', `${d.name}.${key} must be a whole number`);
    if (raw < p.min || raw > p.max)
      throw new HearthError('out_of_range', `${d.name}.${key} must be between ${p.min} and ${p.max}`);
    out[key] = raw;
  }
  return out;
}
