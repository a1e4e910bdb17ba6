// Home Assistant discovery configs for Hearth's own devices. State and availability are read from
// Hearth's retained topics (`hearth/dev/<id>/state` through a value_template, `…/status` with
// online/offline); commands go to Hearth-owned topics `hearth/ha/<id>/<capability>/set`, which the
// hub turns into commands on the one command path. A device with brightness is one light entity.
import type { CapabilityDescriptor } from '../../shared/capabilities.js';
import { deviceTopic, TOPIC_ROOT } from '../../shared/topics.js';
import type { DeviceView } from '../../shared/views.js';

export const HA_COMMAND_FILTER = `${TOPIC_ROOT}/ha/+/+/set`;

export function haCommandTopic(deviceId: string, capability: string): string {
  return `${TOPIC_ROOT}/ha/${deviceId}/${capability}/set`;
}

export function parseHaCommandTopic(topic: string): { deviceId: string; capability: string } | null {
  const m = /^hearth\/ha\/([a-z0-9][a-z0-9-]{0,62})\/([a-z_]{1,32})\/set$/.exec(topic);
  return m ? { deviceId: m[1] as string, capability: m[2] as string } : null;
}

export interface HaConfigMessage {
  topic: string;
  config: Record<string, unknown>;
}

const SENSOR_CLASSES: Record<string, string> = {
  temperature: 'temperature',
  battery: 'battery',
  energy: 'energy',
  humidity: 'humidity',
  wattage: 'power',
  illuminance: 'illuminance',
};
const LIGHT_PARTS = new Set(['power', 'brightness', 'color_temp', 'rgb']);
const CLIMATE_PARTS = new Set(['target_temperature', 'mode', 'temperature']);

const val = (name: string) => `{{ value_json['values']['${name}'] }}`;
const onOff = (name: string) => `{{ 'ON' if value_json['values']['${name}'] else 'OFF' }}`;

/** Every config one device announces, keyed by its discovery topic. */
export function haConfigsFor(prefix: string, d: DeviceView): HaConfigMessage[] {
  const names = new Set(d.capabilities.map((c) => c.name as string));
  const isLight = names.has('brightness');
  const isClimate = names.has('target_temperature');
  const common = (key: string, label: string) => ({
    name: label,
    unique_id: `hearth_${d.id}_${key}`,
    object_id: `${d.id}_${key}`.replace(/-/g, '_'),
    device: {
      identifiers: [`hearth_${d.id}`],
      name: d.name,
      model: d.model,
      manufacturer: 'Hearth',
      ...(d.firmware ? { sw_version: d.firmware } : {}),
    },
    origin: { name: 'Hearth' },
    availability_topic: deviceTopic(d.id, 'status'),
    state_topic: deviceTopic(d.id, 'state'),
  });
  const topic = (component: string, key: string) => `${prefix}/${component}/hearth_${d.id}/${key}/config`;
  const out: HaConfigMessage[] = [];
  if (isLight)
    out.push({ topic: topic('light', 'light'), config: lightConfig(d, common('light', d.name), names) });
  if (isClimate)
    out.push({ topic: topic('climate', 'climate'), config: climateConfig(d, common('climate', d.name)) });
  for (const c of d.capabilities) {
    if ((isLight && LIGHT_PARTS.has(c.name)) || (isClimate && CLIMATE_PARTS.has(c.name))) continue;
    const entity = entityConfig(d.id, c);
    if (entity)
      out.push({
        topic: topic(entity.component, c.name),
        config: { ...common(c.name, c.label), ...entity.config },
      });
  }
  return out;
}

function entityConfig(
  id: string,
  c: CapabilityDescriptor,
): { component: string; config: Record<string, unknown> } | null {
  const command_topic = haCommandTopic(id, c.name);
  const unit = c.unit && c.unit !== 'mired' ? { unit_of_measurement: c.unit } : {};
  if (c.kind === 'action')
    return { component: 'button', config: { command_topic, payload_press: 'PRESS', state_topic: undefined } };
  if (c.kind === 'sensor') {
    if (c.type === 'boolean') {
      // Hearth's contact is true when closed; Home Assistant's door is "on" when open.
      const open =
        c.name === 'contact' ? `{{ 'OFF' if value_json['values']['contact'] else 'ON' }}` : onOff(c.name);
      return {
        component: 'binary_sensor',
        config: { value_template: open, ...(c.name === 'contact' ? { device_class: 'door' } : {}) },
      };
    }
    const cls = SENSOR_CLASSES[c.name];
    return {
      component: 'sensor',
      config: { value_template: val(c.name), ...unit, ...(cls ? { device_class: cls } : {}) },
    };
  }
  if (c.kind !== 'setting') return null;
  if (c.type === 'boolean')
    return { component: 'switch', config: { command_topic, value_template: onOff(c.name) } };
  if (c.type === 'enum')
    return {
      component: 'select',
      config: { command_topic, value_template: val(c.name), options: c.options },
    };
  if (c.type === 'integer' || c.type === 'number')
    return {
      component: 'number',
      config: {
        command_topic,
        value_template: val(c.name),
        min: c.min,
        max: c.max,
        step: c.step ?? 1,
        ...unit,
      },
    };
  return null;
}

function lightConfig(
  d: DeviceView,
  base: Record<string, unknown>,
  names: Set<string>,
): Record<string, unknown> {
  return {
    ...base,
    command_topic: haCommandTopic(d.id, 'power'),
    state_value_template: onOff('power'),
    brightness_command_topic: haCommandTopic(d.id, 'brightness'),
    brightness_state_topic: deviceTopic(d.id, 'state'),
    brightness_value_template: val('brightness'),
    brightness_scale: 100,
    ...(names.has('color_temp')
      ? {
          color_temp_command_topic: haCommandTopic(d.id, 'color_temp'),
          color_temp_state_topic: deviceTopic(d.id, 'state'),
          color_temp_value_template: val('color_temp'),
        }
      : {}),
  };
}

function climateConfig(d: DeviceView, base: Record<string, unknown>): Record<string, unknown> {
  const { state_topic: state, ...rest } = base;
  const mode = d.capabilities.find((c) => c.name === 'mode');
  return {
    ...rest,
    temperature_command_topic: haCommandTopic(d.id, 'target_temperature'),
    temperature_state_topic: state,
    temperature_state_template: val('target_temperature'),
    current_temperature_topic: state,
    current_temperature_template: val('temperature'),
    ...(mode
      ? {
          mode_command_topic: haCommandTopic(d.id, 'mode'),
          mode_state_topic: state,
          mode_state_template: val('mode'),
          modes: mode.options,
        }
      : {}),
  };
}
