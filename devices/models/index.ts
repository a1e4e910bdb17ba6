// The model catalog: a new device type is one small file plus one line here.
import { contactSensor } from './contact-sensor.js';
import { feeder } from './feeder.js';
import { light } from './light.js';
import type { DeviceModel } from './model.js';
import { plug } from './plug.js';
import { thermostat } from './thermostat.js';
import { tv } from './tv.js';

export const MODELS: Readonly<Record<string, DeviceModel>> = {
  tv,
  feeder,
  light,
  plug,
  thermostat,
  'contact-sensor': contactSensor,
};

export const MODEL_NAMES = Object.keys(MODELS);

export function findModel(name: string): DeviceModel | undefined {
  return Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
}
