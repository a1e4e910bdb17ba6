// The hub's own publishing and subscribing on the embedded broker: in-process, no socket, no ACL
// (aedes calls authorizePublish with no client for these).
import type { Aedes, AedesPublishPacket } from 'aedes';
import type { HubMessaging } from '../core/context.js';

export function inProcessMessaging(broker: () => Aedes | undefined): HubMessaging {
  return {
    publish(topic, payload, options = {}) {
      return new Promise((resolve, reject) => {
        const aedes = broker();
        if (!aedes) return reject(new Error('broker not started'));
        aedes.publish(
          {
            cmd: 'publish',
            topic,
            payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
            qos: options.qos ?? 0,
            retain: options.retain ?? false,
            dup: false,
          },
          (err) => (err ? reject(err) : resolve()),
        );
      });
    },
    subscribe(filter, handler) {
      return new Promise((resolve, reject) => {
        const aedes = broker();
        if (!aedes) return reject(new Error('broker not started'));
        const deliver = (packet: AedesPublishPacket, done: () => void) => {
          try {
            handler(
              packet.topic,
              Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
            );
          } finally {
            done();
          }
        };
        aedes.subscribe(filter, deliver, () =>
          resolve(() => new Promise<void>((r) => aedes.unsubscribe(filter, deliver, () => r()))),
        );
      });
    },
  };
}
