// What a newly registered device of a known model can do, until its own `info` says otherwise.
// Lets the API validate commands for a device that has been flashed but has not booted yet.
import type { CapabilityDeclaration } from '../../shared/capabilities.js';

const byModel: Record<string, CapabilityDeclaration[]> = {
  tv: [{ name: 'power' }, { name: 'channel' }, { name: 'volume' }, { name: 'mute' }, { name: 'input' }],
  feeder: [{ name: 'feed' }, { name: 'hopper' }, { name: 'schedules' }],
  light: [{ name: 'power' }, { name: 'brightness' }, { name: 'color_temp' }],
  plug: [{ name: 'power' }, { name: 'energy' }],
  thermostat: [
    { name: 'target_temperature' },
    { name: 'temperature' },
    { name: 'mode' },
    { name: 'schedules' },
  ],
  'contact-sensor': [{ name: 'contact' }, { name: 'battery' }],
};

export function defaultCapabilities(model: string): CapabilityDeclaration[] {
  return byModel[model] ?? [];
}
