// What the hub says under `hearth/dev/<id>/` on a foreign device's behalf (info, status, state),
// kept apart so the readers, the command side and the config side all publish the same way.

import { deviceTopic } from '../../shared/topics.js';
import type { DeviceRegistry, HubMessaging } from '../core/context.js';
import type { Clock } from '../infra/clock.js';
import { declarations, FOREIGN_MODEL, type ForeignDevice, isOnline } from './foreign-device.js';

export interface ForeignPublication {
  info(d: ForeignDevice): Promise<void>;
  /** Publishes the status only when it changed since the last one said. */
  status(d: ForeignDevice): Promise<void>;
  state(d: ForeignDevice): Promise<void>;
  /** The broker the device lives on is away: say offline now, whatever was said before. */
  offline(d: ForeignDevice): Promise<void>;
  forget(deviceId: string): void;
  reset(): void;
}

export function createForeignPublication(deps: {
  hub: HubMessaging;
  registry: DeviceRegistry;
  clock: Clock;
}): ForeignPublication {
  const { hub, registry, clock } = deps;
  const retained = { retain: true, qos: 1 } as const;
  let lastOnline = new Map<string, boolean>();
  return {
    info: (d) =>
      hub.publish(
        deviceTopic(d.id, 'info'),
        JSON.stringify({
          model: FOREIGN_MODEL,
          firmware: d.firmware,
          name: d.name,
          capabilities: declarations(d),
        }),
        retained,
      ),
    async status(d) {
      const online = isOnline(d);
      if (lastOnline.get(d.id) === online) return;
      lastOnline.set(d.id, online);
      await hub.publish(deviceTopic(d.id, 'status'), online ? 'online' : 'offline', retained);
    },
    state(d) {
      d.seq = Math.max(d.seq, registry.get(d.id)?.reportedSeq ?? -1) + 1;
      const declared = new Set(declarations(d).map((c) => c.name as string));
      const values = Object.fromEntries(Object.entries(d.reported).filter(([k]) => declared.has(k)));
      const body = { seq: d.seq, ts: clock.now(), values, ...(d.fault ? { fault: d.fault } : {}) };
      return hub.publish(deviceTopic(d.id, 'state'), JSON.stringify(body), retained);
    },
    offline(d) {
      lastOnline.set(d.id, false);
      return hub.publish(deviceTopic(d.id, 'status'), 'offline', retained);
    },
    forget: (deviceId) => void lastOnline.delete(deviceId),
    reset: () => {
      lastOnline = new Map();
    },
  };
}
