// The Home Assistant MQTT discovery config, after abbreviations are expanded: the fields Hearth
// reads, validated at the edge. Topics a config names must be concrete (no wildcards) and outside
// `hearth/`: a foreign device must not steer the hub into publishing on Hearth's own topics.
import { z } from 'zod';
import { TOPIC_ROOT } from '../../shared/topics.js';
import { expandDiscoveryConfig } from './abbreviations.js';

export const HA_COMPONENTS = [
  'switch',
  'light',
  'sensor',
  'binary_sensor',
  'number',
  'select',
  'button',
  'climate',
  'cover',
  'lock',
  'fan',
] as const;
export type HaComponentName = (typeof HA_COMPONENTS)[number];

export const MqttTopicSchema = z
  .string()
  .min(1)
  .max(256)
  .refine((t) => !/[+#\0]/.test(t) && !t.startsWith('$'), { message: 'a topic has no wildcards' })
  .refine((t) => t !== TOPIC_ROOT && !t.startsWith(`${TOPIC_ROOT}/`), {
    message: `topics under ${TOPIC_ROOT}/ belong to Hearth`,
  });

/** Payloads are compared as text; configs give them as strings, numbers or booleans. */
const Payload = z.union([z.string().max(256), z.number(), z.boolean()]).transform(String);
const Template = z.string().min(1).max(2048);

const DeviceBlockSchema = z.object({
  identifiers: z.union([z.string().max(256), z.array(z.string().max(256)).max(16)]).optional(),
  connections: z
    .array(z.array(z.string().max(256)).min(2).max(2))
    .max(16)
    .optional(),
  name: z.string().max(128).optional(),
  manufacturer: z.string().max(128).optional(),
  model: z.string().max(128).optional(),
  sw_version: z.string().max(128).optional(),
});

const AvailabilityEntrySchema = z.object({
  topic: MqttTopicSchema,
  payload_available: Payload.optional(),
  payload_not_available: Payload.optional(),
  value_template: Template.optional(),
});

const topicKeys = [
  'state_topic',
  'command_topic',
  'availability_topic',
  'brightness_state_topic',
  'brightness_command_topic',
  'color_temp_state_topic',
  'color_temp_command_topic',
  'rgb_state_topic',
  'rgb_command_topic',
  'current_temperature_topic',
  'temperature_state_topic',
  'temperature_command_topic',
  'mode_state_topic',
  'mode_command_topic',
  'position_topic',
  'set_position_topic',
  'percentage_state_topic',
  'percentage_command_topic',
] as const;
const templateKeys = [
  'value_template',
  'command_template',
  'state_value_template',
  'brightness_value_template',
  'color_temp_value_template',
  'rgb_value_template',
  'current_temperature_template',
  'temperature_state_template',
  'mode_state_template',
  'position_template',
  'percentage_value_template',
] as const;
const payloadKeys = [
  'payload_on',
  'payload_off',
  'state_on',
  'state_off',
  'payload_press',
  'payload_lock',
  'payload_unlock',
  'state_locked',
  'state_unlocked',
  'payload_open',
  'payload_close',
  'payload_stop',
  'state_open',
  'state_closed',
  'state_opening',
  'state_closing',
  'state_stopped',
  'payload_available',
  'payload_not_available',
] as const;

function fields<K extends string, S extends z.ZodType>(keys: readonly K[], schema: S): Record<K, S> {
  return Object.fromEntries(keys.map((k) => [k, schema])) as Record<K, S>;
}

export const DiscoveryConfigSchema = z.object({
  name: z.string().max(128).nullable().optional(),
  unique_id: z.string().max(256).optional(),
  device: DeviceBlockSchema.optional(),
  origin: z.object({ name: z.string().max(128).optional() }).optional(),
  availability: z.array(AvailabilityEntrySchema).max(8).optional(),
  availability_template: Template.optional(),
  schema: z.enum(['default', 'basic', 'json', 'template']).optional(),
  device_class: z.string().max(64).nullable().optional(),
  unit_of_measurement: z.string().max(32).nullable().optional(),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  step: z.number().positive().finite().optional(),
  options: z.array(z.string().min(1).max(64)).min(1).max(32).optional(),
  modes: z.array(z.string().min(1).max(32)).max(16).optional(),
  min_temp: z.number().finite().optional(),
  max_temp: z.number().finite().optional(),
  temp_step: z.number().positive().finite().optional(),
  min_mireds: z.number().finite().optional(),
  max_mireds: z.number().finite().optional(),
  brightness_scale: z.number().int().positive().max(65535).optional(),
  brightness: z.boolean().optional(),
  color_temp: z.boolean().optional(),
  supported_color_modes: z.array(z.string().max(16)).max(8).optional(),
  position_open: z.number().finite().optional(),
  position_closed: z.number().finite().optional(),
  speed_range_min: z.number().int().optional(),
  speed_range_max: z.number().int().optional(),
  ...fields(topicKeys, MqttTopicSchema.optional()),
  ...fields(templateKeys, Template.optional()),
  ...fields(payloadKeys, Payload.optional()),
});
export type DiscoveryConfig = z.infer<typeof DiscoveryConfigSchema>;

/** `<prefix>/<component>/[<node_id>/]<object_id>/config`. */
export function parseDiscoveryTopic(
  prefix: string,
  topic: string,
): { component: string; nodeId: string | null; objectId: string } | null {
  if (!topic.startsWith(`${prefix}/`) || !topic.endsWith('/config')) return null;
  const parts = topic.slice(prefix.length + 1, -'/config'.length).split('/');
  const id = /^[A-Za-z0-9_-]+$/;
  if (parts.length === 2 && parts.every((p) => id.test(p)))
    return { component: parts[0] as string, nodeId: null, objectId: parts[1] as string };
  if (parts.length === 3 && parts.every((p) => id.test(p)))
    return { component: parts[0] as string, nodeId: parts[1] as string, objectId: parts[2] as string };
  return null;
}

export type ParsedConfig = { ok: true; config: DiscoveryConfig } | { ok: false; error: string };

export function parseDiscoveryConfig(payload: Buffer): ParsedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, error: 'not a JSON object' };
  const parsed = DiscoveryConfigSchema.safeParse(expandDiscoveryConfig(raw as Record<string, unknown>));
  if (!parsed.success)
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; '),
    };
  return { ok: true, config: parsed.data as DiscoveryConfig };
}
