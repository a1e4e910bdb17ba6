// Switch, lock, button, sensor, binary_sensor, number and select entities as Hearth capabilities,
// with Home Assistant's documented defaults (payload_on "ON", state_on = payload_on, …).
import type { CapabilityName } from '../../shared/capabilities.js';
import type { DiscoveryConfig } from './discovery-config.js';
import {
  commandPayload,
  type EntityBinding,
  labelOf,
  reader,
  requireTopic,
  toBoolean,
  toNumber,
} from './entity-binding.js';

/** A setting with one command topic and one state topic (switch, lock). */
function onOff(
  c: DiscoveryConfig,
  name: CapabilityName,
  payloads: { on: string; off: string; stateOn: string; stateOff: string },
): EntityBinding {
  return {
    capabilities: [{ name, twin: 'device', ...labelOf(c) }],
    readers: reader(c.state_topic, c.value_template, name, toBoolean(payloads.stateOn, payloads.stateOff)),
    write: (_cap, value) => [
      {
        topic: requireTopic(c.command_topic, 'commands'),
        payload: commandPayload(c.command_template, value ? payloads.on : payloads.off),
      },
    ],
    optimistic: c.state_topic === undefined,
  };
}

export function switchBinding(c: DiscoveryConfig): EntityBinding {
  const on = c.payload_on ?? 'ON';
  const off = c.payload_off ?? 'OFF';
  return onOff(c, 'power', { on, off, stateOn: c.state_on ?? on, stateOff: c.state_off ?? off });
}

export function lockBinding(c: DiscoveryConfig): EntityBinding {
  return onOff(c, 'locked', {
    on: c.payload_lock ?? 'LOCK',
    off: c.payload_unlock ?? 'UNLOCK',
    stateOn: c.state_locked ?? 'LOCKED',
    stateOff: c.state_unlocked ?? 'UNLOCKED',
  });
}

export function buttonBinding(c: DiscoveryConfig): EntityBinding {
  return {
    capabilities: [{ name: 'press', ...labelOf(c) }],
    readers: [],
    write: () => [
      {
        topic: requireTopic(c.command_topic, 'commands'),
        payload: commandPayload(c.command_template, c.payload_press ?? 'PRESS'),
      },
    ],
    optimistic: false,
  };
}

const SENSOR_CLASSES: Record<string, CapabilityName> = {
  temperature: 'temperature',
  humidity: 'humidity',
  battery: 'battery',
  energy: 'energy',
  power: 'wattage',
  illuminance: 'illuminance',
};

export function sensorBinding(c: DiscoveryConfig): EntityBinding {
  const name = SENSOR_CLASSES[c.device_class ?? ''] ?? 'reading';
  const unit = c.unit_of_measurement ? { unit: c.unit_of_measurement.slice(0, 16) } : {};
  const toValue =
    name === 'battery' ? (t: string) => roundOrUndefined(toNumber(t)) : (t: string) => toNumber(t);
  return {
    capabilities: [{ name, ...labelOf(c), ...(name === 'reading' ? unit : {}) }],
    readers: reader(c.state_topic, c.value_template, name, toValue),
    write: () => [],
    optimistic: false,
  };
}

const roundOrUndefined = (n: number | undefined) => (n === undefined ? undefined : Math.round(n));

const BINARY_CLASSES: Record<string, CapabilityName> = {
  door: 'contact',
  window: 'contact',
  opening: 'contact',
  garage_door: 'contact',
  motion: 'motion',
  occupancy: 'motion',
  presence: 'motion',
};

export function binarySensorBinding(c: DiscoveryConfig): EntityBinding {
  const name = BINARY_CLASSES[c.device_class ?? ''] ?? 'detected';
  const on = toBoolean(c.payload_on ?? 'ON', c.payload_off ?? 'OFF');
  // Home Assistant's "on" for a door is open; Hearth's contact is true when closed.
  const toValue = name === 'contact' ? (t: string) => invert(on(t)) : on;
  return {
    capabilities: [{ name, ...labelOf(c) }],
    readers: reader(c.state_topic, c.value_template, name, toValue),
    write: () => [],
    optimistic: false,
  };
}

const invert = (b: boolean | undefined) => (b === undefined ? undefined : !b);

export function numberBinding(c: DiscoveryConfig): EntityBinding {
  const min = c.min ?? 1;
  const max = c.max ?? 100;
  return {
    capabilities: [
      {
        name: 'level',
        twin: 'device',
        min,
        max,
        step: c.step ?? 1,
        ...labelOf(c),
        ...(c.unit_of_measurement ? { unit: c.unit_of_measurement.slice(0, 16) } : {}),
      },
    ],
    readers: reader(c.state_topic, c.value_template, 'level', toNumber),
    write: (_cap, value) => [
      {
        topic: requireTopic(c.command_topic, 'commands'),
        payload: commandPayload(c.command_template, value ?? min),
      },
    ],
    optimistic: c.state_topic === undefined,
  };
}

export function selectBinding(c: DiscoveryConfig): EntityBinding | string {
  const options = c.options;
  if (!options) return 'a select needs options';
  return {
    capabilities: [{ name: 'option', twin: 'device', options, ...labelOf(c) }],
    readers: reader(c.state_topic, c.value_template, 'option', (t) => (options.includes(t) ? t : undefined)),
    write: (_cap, value) => [
      {
        topic: requireTopic(c.command_topic, 'commands'),
        payload: commandPayload(c.command_template, String(value)),
      },
    ],
    optimistic: c.state_topic === undefined,
  };
}
