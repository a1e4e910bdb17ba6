// Reads what arrives on a foreign device's own topics (state and availability) into the device,
// and republishes its Hearth state or status when that changed.
import type { Logger } from '../infra/log.js';
import { type ForeignDevice, readAvailability, readersOf } from './foreign-device.js';
import type { ForeignPublication } from './foreign-publication.js';

export function createForeignReaders(deps: {
  devices: Map<string, ForeignDevice>;
  publication: ForeignPublication;
  log: Logger;
}): (topic: string, payload: Buffer) => void {
  const { devices, publication, log } = deps;
  return (topic, payload) => {
    const text = payload.toString('utf8');
    for (const d of devices.values()) {
      let changed = false;
      for (const { reader } of readersOf(d, topic)) {
        const reading = reader.read(text);
        if ('values' in reading) {
          Object.assign(d.reported, reading.values);
          changed = true;
        } else if ('unsupported' in reading && d.fault !== 'unsupported_template') {
          log.warn({ deviceId: d.id, topic, reason: reading.unsupported }, 'unsupported template');
          d.fault = 'unsupported_template';
          changed = true;
        }
      }
      let availabilityChanged = false;
      for (const entity of d.entities.values())
        for (const rule of entity.availability) {
          if (rule.topic !== topic) continue;
          const a = readAvailability(rule, text);
          if (a !== undefined) {
            d.available.set(topic, a);
            availabilityChanged = true;
          }
        }
      if (changed)
        void publication.state(d).catch((err: unknown) => log.warn({ err }, 'state publish failed'));
      if (availabilityChanged)
        void publication.status(d).catch((err: unknown) => log.warn({ err }, 'status failed'));
    }
  };
}
