// What a newly registered device of a known model can do, until its own `info` says otherwise.
// Lets the API validate commands for a device that has been flashed but has not booted yet. The
// twin policies match the models' own declarations (devices/models): a TV's remote, a plug's
// button and a thermostat's dial and own schedules win over the hub; a light's settings are hub-wins.
import type { CapabilityDeclaration } from '../../../shared/capabilities.js';

const byModel: Record<string, CapabilityDeclaration[]> = {
  tv: [
    { name: 'power', twin: 'device' },
    { name: 'channel', twin: 'device' },
    { name: 'volume', twin: 'device' },
    { name: 'mute', twin: 'device' },
    { name: 'input', twin: 'device' },
  ],
  feeder: [{ name: 'feed' }, { name: 'hopper' }, { name: 'schedules' }],
  light: [{ name: 'power' }, { name: 'brightness' }, { name: 'color_temp' }],
  plug: [{ name: 'power', twin: 'device' }, { name: 'energy' }],
  thermostat: [
    { name: 'target_temperature', twin: 'device' },
    { name: 'temperature' },
    { name: 'mode', twin: 'device' },
    { name: 'schedules' },
  ],
  'contact-sensor': [{ name: 'contact' }, { name: 'battery' }],
};

export function defaultCapabilities(model: string): CapabilityDeclaration[] {
  return byModel[model] ?? [];
}
