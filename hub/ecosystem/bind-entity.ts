// One discovery config → its binding, by component. A component Hearth does not model, or a config
// it cannot use, is named with the reason (shown in the ecosystem status), never half-bound.
import {
  binarySensorBinding,
  buttonBinding,
  lockBinding,
  numberBinding,
  selectBinding,
  sensorBinding,
  switchBinding,
} from './components-basic.js';
import { climateBinding, coverBinding, fanBinding } from './components-climate.js';
import { lightBinding } from './components-light.js';
import { type DiscoveryConfig, HA_COMPONENTS, type HaComponentName } from './discovery-config.js';
import type { EntityBinding } from './entity-binding.js';

const binders: Record<HaComponentName, (c: DiscoveryConfig) => EntityBinding | string> = {
  switch: switchBinding,
  light: lightBinding,
  sensor: sensorBinding,
  binary_sensor: binarySensorBinding,
  number: numberBinding,
  select: selectBinding,
  button: buttonBinding,
  climate: climateBinding,
  cover: coverBinding,
  lock: lockBinding,
  fan: fanBinding,
};

export function bindEntity(component: string, config: DiscoveryConfig): EntityBinding | string {
  if (!(HA_COMPONENTS as readonly string[]).includes(component))
    return `component "${component}" is not supported`;
  const binding = binders[component as HaComponentName](config);
  if (typeof binding !== 'string' && binding.capabilities.length === 0)
    return 'the config names no topic Hearth can use';
  return binding;
}
