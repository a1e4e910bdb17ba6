// Everything devices publish comes in here and goes to the one part that owns its channel: info,
// status, state and events to the shadow, acks to the command service. A payload its owner refuses
// (it throws a HearthError) is logged, counted and changes nothing; so is a removed device's last
// word, whose credentials are already gone.
import { type ErrorCode, HearthError } from '../../shared/errors.js';
import { allDevicesTopic, type DeviceChannel, parseTopic } from '../../shared/topics.js';
import type { HubContext, HubMessaging } from './context.js';
import type { InternalRegistry } from './registry/device-registry.js';
import type { DeviceEntry } from './registry/entry-writer.js';

/** Handles one device channel's payload; throws HearthError to refuse it. */
export type ChannelHandler = (entry: DeviceEntry, payload: Buffer) => void;

export interface InboundRouter {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createInboundRouter(
  ctx: HubContext,
  messaging: HubMessaging,
  registry: InternalRegistry,
  owners: Partial<Record<DeviceChannel, ChannelHandler>>,
): InboundRouter {
  const log = ctx.log.child({ module: 'inbound' });
  const invalid = ctx.metrics.counter(
    'hearth_invalid_payloads_total',
    'Device payloads refused by validation',
  );
  const unsubscribes: Array<() => Promise<void>> = [];

  const refuse = (deviceId: string, channel: string, code: ErrorCode, message: string) => {
    invalid.inc({ channel, code });
    log.warn({ deviceId, channel, code }, `refused ${channel} payload: ${message}`);
  };

  return {
    async start() {
      for (const [channel, handler] of Object.entries(owners) as Array<[DeviceChannel, ChannelHandler]>) {
        unsubscribes.push(
          await messaging.subscribe(allDevicesTopic(channel), (topic, payload) => {
            const parsed = parseTopic(topic);
            if (parsed?.kind !== 'device') return;
            const entry = registry.entry(parsed.deviceId);
            if (!entry) return;
            try {
              handler(entry, payload);
            } catch (err) {
              const code = err instanceof HearthError ? err.code : 'internal';
              refuse(parsed.deviceId, channel, code, (err as Error).message);
            }
          }),
        );
      }
    },
    async stop() {
      await Promise.all(unsubscribes.splice(0).map((u) => u()));
    },
  };
}
