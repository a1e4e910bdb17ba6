// What every boot of one device shares and what outlives a reboot within this process: the image
// and model, the clock, the reconnect backoff (with its defaults) and the drill switches. Built
// once per device; the device supplies the three ways a boot calls back into it.
import { describeCapability } from '../../shared/capabilities.js';
import type { DeviceModel } from '../models/model.js';
import { createDeviceClock } from './device-clock.js';
import type { DeviceOptions, DeviceStatic } from './device-types.js';

export function createDeviceStatic(
  options: DeviceOptions,
  model: DeviceModel,
  owner: string,
  callbacks: Pick<DeviceStatic, 'restart' | 'otaProgress' | 'notify'>,
): DeviceStatic {
  return {
    image: options.image,
    model,
    descriptors: model.capabilities.map(describeCapability),
    owner,
    options,
    clock: options.clock ?? createDeviceClock(),
    backoff: {
      baseMs: 500,
      maxMs: 30_000,
      // A short hub outage (≤ 5 min) is waited out with a ceiling of 1 s, then 2 s: every device
      // is back within about 2 s of the hub listening again, spread by full jitter so the hub's
      // admission control sees a gentle surge. Longer outages back off to 30 s.
      quick: { capMs: 1000, attempts: 30 },
      hold: { capMs: 2000, forMs: 5 * 60_000 },
      ...options.backoff,
    },
    switches: { frozen: false, slowAckMs: 0, ota: { dropDownloadAfter: null, slotWriteDelayMs: 0 } },
    ...callbacks,
  };
}
