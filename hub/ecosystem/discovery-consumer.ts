// Consumes Home Assistant MQTT discovery: every retained `<prefix>/…/config` becomes (part of) a
// Hearth device, and the hub then speaks Hearth's own contract on that device's behalf — it
// publishes the device's info, status and state under `hearth/dev/<id>/`, and carries out what
// arrives on its `cmd` topic by publishing the documented payload on the device's command topic,
// then acks. So a foreign device goes through the same command path (expiry, ids never performed
// twice), twin, history, schedules and rights as Hearth's own firmware.
import { allDevicesTopic } from '../../shared/topics.js';
import type { CoreContext, HubMessaging } from '../core/context.js';
import type { Unit } from '../infra/unit.js';
import { createDiscoveredEntities, type EntityStatus } from './discovered-entities.js';
import { createForeignCommands } from './foreign-commands.js';
import type { ForeignDevice } from './foreign-device.js';
import { createForeignPublication } from './foreign-publication.js';
import { createForeignReaders } from './foreign-readers.js';
import { createTopicSubscriptions } from './topic-subscriptions.js';

export type { EntityStatus } from './discovered-entities.js';

export interface DiscoveryConsumerOptions {
  prefix: string;
  /** Where discovery and the devices' own topics are (the hub's broker, or a bridged one). */
  messaging: HubMessaging;
  /** A name for logs and the command source. */
  source: string;
  /** Say `<prefix>/status online` (Home Assistant's birth message) so devices announce again. */
  birth: boolean;
  /** A bridged broker's connection: while it is away its devices are offline (commands wait). */
  connection?: { onConnection(listener: (connected: boolean) => void): void };
}

export interface DiscoveryConsumer extends Unit {
  entities(): EntityStatus[];
}

export function createDiscoveryConsumer(ctx: CoreContext, opts: DiscoveryConsumerOptions): DiscoveryConsumer {
  const { registry, clock, bus } = ctx;
  const hub = ctx.messaging;
  const remote = opts.messaging;
  const log = ctx.log.child({ module: 'ha-discovery', source: opts.source });
  const refused = ctx.metrics.counter('hearth_ha_discovery_refused_total', 'Discovery configs refused');
  const devices = new Map<string, ForeignDevice>();
  const unsubscribes: Array<() => Promise<void> | void> = [];
  const owner = `ha-discovery:${opts.source}`;
  const publication = createForeignPublication({ hub, registry, clock });
  const onDeviceTopic = createForeignReaders({ devices, publication, log });
  const subs = createTopicSubscriptions(remote, onDeviceTopic);
  const onCommand = createForeignCommands({ devices, hub, remote, publication, clock, log });
  const configs = createDiscoveredEntities({
    prefix: opts.prefix,
    devices,
    registry,
    publication,
    subs,
    refused,
    log,
  });

  return {
    name: owner,
    entities: () => configs.list(),
    async start() {
      const handler = (topic: string, payload: Buffer) =>
        void configs
          .onConfig(topic, payload)
          .catch((err: unknown) => log.error({ err, topic }, 'discovery failed'));
      for (const filter of [`${opts.prefix}/+/+/config`, `${opts.prefix}/+/+/+/config`])
        unsubscribes.push(await remote.subscribe(filter, handler));
      unsubscribes.push(
        await hub.subscribe(allDevicesTopic('cmd'), (topic, payload) => {
          void onCommand(topic, payload).catch((err: unknown) => log.error({ err, topic }, 'command failed'));
        }),
      );
      unsubscribes.push(
        bus.on('device.removed', owner, ({ deviceId }) => {
          const d = devices.get(deviceId);
          if (!d) return;
          devices.delete(deviceId);
          configs.dropDevice(d);
          void subs.set(deviceId, []);
        }),
      );
      opts.connection?.onConnection((connected) => {
        if (connected) return; // retained configs and availability arrive again with the subscriptions
        for (const d of devices.values()) {
          d.available.clear();
          void publication.offline(d).catch(() => undefined);
        }
      });
      if (opts.birth) await remote.publish(`${opts.prefix}/status`, 'online', { retain: true, qos: 1 });
    },
    async stop() {
      for (const u of unsubscribes.splice(0)) await u();
      await subs.clear();
      devices.clear();
      configs.clear();
      publication.reset();
    },
  };
}
