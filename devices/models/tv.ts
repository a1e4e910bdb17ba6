// A TV: settings only, so the runtime's default "store the value" is all it needs.
import type { DeviceModel } from './model.js';

export const tv: DeviceModel = {
  model: 'tv',
  firmware: '1.0.0',
  capabilities: [
    { name: 'power' },
    { name: 'channel' },
    { name: 'volume' },
    { name: 'mute' },
    { name: 'input' },
  ],
  initial: { power: false, channel: 1, volume: 20, mute: false, input: 'tv' },
};
