// A dimmable, tunable-white light.
import type { DeviceModel } from './model.js';

export const light: DeviceModel = {
  model: 'light',
  firmware: '1.0.0',
  capabilities: [{ name: 'power' }, { name: 'brightness' }, { name: 'color_temp' }],
  initial: { power: false, brightness: 100, color_temp: 370 },
};
