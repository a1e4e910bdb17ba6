// A TV: settings only, so the runtime's default "store the value" is all it needs for commands.
// Its own IR remote changes settings too: a drill "presses" it with sense readings, and the TV
// reports the new state like any local change (the hub did not ask for it). Its settings are
// `device`-wins twins: what the remote did stands, and the hub's desired state follows it.
import {
  type CapabilityDeclaration,
  describeCapability,
  validateRequest,
} from '../../shared/capabilities.js';
import type { DeviceModel } from './model.js';

const capabilities: CapabilityDeclaration[] = [
  { name: 'power', twin: 'device' },
  { name: 'channel', twin: 'device' },
  { name: 'volume', twin: 'device' },
  { name: 'mute', twin: 'device' },
  { name: 'input', twin: 'device' },
];
const descriptors = capabilities.map(describeCapability);

export const tv: DeviceModel = {
  model: 'tv',
  firmware: '1.0.0',
  capabilities,
  initial: { power: false, channel: 1, volume: 20, mute: false, input: 'tv' },
  sense(ctx, readings) {
    for (const [capability, value] of Object.entries(readings)) {
      // The remote can only do what the TV can: out-of-range presses are ignored, as on real sets.
      try {
        const ok = validateRequest(descriptors, { capability, value });
        if (ok.value !== undefined) ctx.values[ok.capability] = ok.value;
      } catch {
        // ignored
      }
    }
  },
};
