// Consumes Home Assistant MQTT discovery: every retained `<prefix>/…/config` becomes (part of) a
// Hearth device, and the hub then speaks Hearth's own contract on that device's behalf — it
// publishes the device's info, status and state under `hearth/dev/<id>/`, and carries out what
// arrives on its `cmd` topic by publishing the documented payload on the device's command topic,
// then acks. So a foreign device goes through the same command path (expiry, ids never performed
// twice), twin, history, schedules and rights as Hearth's own firmware.
import type { SettingValue } from '../../shared/capabilities.js';
import { decodeJson } from '../../shared/decode.js';
import { type ErrorBody, HearthError } from '../../shared/errors.js';
import { type Ack, type Command, CommandSchema, PAYLOAD_LIMITS } from '../../shared/payloads.js';
import { allDevicesTopic, deviceTopic, parseTopic } from '../../shared/topics.js';
import type { CoreContext, HubMessaging } from '../core/context.js';
import type { Unit } from '../infra/unit.js';
import { bindEntity } from './bind-entity.js';
import { parseDiscoveryConfig, parseDiscoveryTopic } from './discovery-config.js';
import {
  availabilityRules,
  claimCapabilities,
  declarations,
  deviceKeyOf,
  type ForeignDevice,
  foreignDeviceId,
  isOnline,
  ownerOf,
  readAvailability,
  readersOf,
  topicsOf,
} from './foreign-device.js';
import { createTopicSubscriptions } from './topic-subscriptions.js';

export const FOREIGN_MODEL = 'foreign';
const RECENT_COMMANDS = 256;

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

export interface EntityStatus {
  configTopic: string;
  component: string;
  deviceId: string | null;
  ok: boolean;
  reason?: string;
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
  const byConfig = new Map<string, string>(); // config topic → device id
  const rejected = new Map<string, EntityStatus>();
  const recent = new Map<string, Ack>();
  const unsubscribes: Array<() => Promise<void> | void> = [];
  const owner = `ha-discovery:${opts.source}`;
  const subs = createTopicSubscriptions(remote, (topic, payload) => onDeviceTopic(topic, payload));

  const publishInfo = (d: ForeignDevice) =>
    hub.publish(
      deviceTopic(d.id, 'info'),
      JSON.stringify({
        model: FOREIGN_MODEL,
        firmware: d.firmware,
        name: d.name,
        capabilities: declarations(d),
      }),
      { retain: true, qos: 1 },
    );
  let lastOnline = new Map<string, boolean>();
  const publishStatus = async (d: ForeignDevice) => {
    const online = isOnline(d);
    if (lastOnline.get(d.id) === online) return;
    lastOnline.set(d.id, online);
    await hub.publish(deviceTopic(d.id, 'status'), online ? 'online' : 'offline', { retain: true, qos: 1 });
  };
  const publishState = (d: ForeignDevice) => {
    d.seq = Math.max(d.seq, registry.get(d.id)?.reportedSeq ?? -1) + 1;
    const declared = new Set(declarations(d).map((c) => c.name as string));
    const values = Object.fromEntries(Object.entries(d.reported).filter(([k]) => declared.has(k)));
    const body = { seq: d.seq, ts: clock.now(), values, ...(d.fault ? { fault: d.fault } : {}) };
    return hub.publish(deviceTopic(d.id, 'state'), JSON.stringify(body), { retain: true, qos: 1 });
  };

  const reject = (configTopic: string, component: string, reason: string) => {
    refused.inc();
    log.warn({ configTopic, reason }, 'discovery config not used');
    rejected.set(configTopic, { configTopic, component, deviceId: null, ok: false, reason });
  };

  async function removeEntity(configTopic: string): Promise<void> {
    rejected.delete(configTopic);
    const id = byConfig.get(configTopic);
    if (!id) return;
    byConfig.delete(configTopic);
    const d = devices.get(id);
    if (!d) return;
    d.entities.delete(configTopic);
    if (d.entities.size > 0) {
      await subs.set(id, topicsOf(d));
      await publishInfo(d);
      return;
    }
    devices.delete(id);
    await subs.set(id, []);
    lastOnline.delete(id);
    if (registry.get(id)) await registry.remove(id);
    log.info({ deviceId: id }, 'foreign device removed (empty discovery config)');
  }

  async function onConfig(configTopic: string, payload: Buffer): Promise<void> {
    const where = parseDiscoveryTopic(opts.prefix, configTopic);
    if (!where) return;
    // Hearth's own devices, announced for Home Assistant under node id hearth_<id>: not foreign.
    if (where.nodeId?.startsWith('hearth_')) return;
    if (payload.length === 0) return removeEntity(configTopic);
    const parsed = parseDiscoveryConfig(payload);
    if (!parsed.ok) return reject(configTopic, where.component, parsed.error);
    const config = parsed.config;
    if (config.origin?.name === 'Hearth') return; // our own devices, published for Home Assistant
    const binding = bindEntity(where.component, config);
    if (typeof binding === 'string') return reject(configTopic, where.component, binding);
    const id = foreignDeviceId(deviceKeyOf(config, configTopic));
    const previous = byConfig.get(configTopic);
    if (previous && previous !== id) await removeEntity(configTopic);
    let d = devices.get(id);
    if (!d) {
      d = {
        id,
        name: (config.device?.name ?? config.name ?? where.objectId).slice(0, 64),
        firmware: (config.device?.sw_version ?? 'unknown').slice(0, 32),
        entities: new Map(),
        reported: { ...(registry.get(id)?.reported as Record<string, SettingValue> | undefined) },
        available: new Map(),
        fault: null,
        seq: -1,
      };
      devices.set(id, d);
    }
    const owned = claimCapabilities(d, configTopic, binding);
    if (owned.length === 0)
      return reject(
        configTopic,
        where.component,
        'its capabilities are taken by other entities of the device',
      );
    d.entities.set(configTopic, {
      configTopic,
      component: where.component,
      binding,
      owned,
      availability: availabilityRules(config),
    });
    byConfig.set(configTopic, id);
    rejected.delete(configTopic);
    if (!registry.get(id)) {
      registry.create({ id, name: d.name, model: FOREIGN_MODEL });
      log.info({ deviceId: id, name: d.name }, 'foreign device discovered');
    }
    await publishInfo(d);
    await subs.set(id, topicsOf(d));
    await publishStatus(d);
  }

  function onDeviceTopic(topic: string, payload: Buffer): void {
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
      if (changed) void publishState(d).catch((err: unknown) => log.warn({ err }, 'state publish failed'));
      if (availabilityChanged)
        void publishStatus(d).catch((err: unknown) => log.warn({ err }, 'status failed'));
    }
  }

  const ack = (deviceId: string, a: Ack) => {
    recent.set(a.id, a);
    if (recent.size > RECENT_COMMANDS) recent.delete(recent.keys().next().value as string);
    return hub.publish(deviceTopic(deviceId, 'ack'), JSON.stringify(a), { qos: 1 });
  };
  const fail = (id: string, error: ErrorBody): Ack => ({ id, ok: false, error });

  async function perform(d: ForeignDevice, cmd: Command): Promise<Ack> {
    if (cmd.expiresAt < clock.now())
      return fail(cmd.id, { code: 'expired', message: 'the command expired before it reached the device' });
    const entity = ownerOf(d, cmd.capability);
    if (!entity) return fail(cmd.id, { code: 'unsupported', message: `no entity carries ${cmd.capability}` });
    try {
      for (const m of entity.binding.write(cmd.capability, cmd.value))
        await remote.publish(m.topic, m.payload);
    } catch (err) {
      if (err instanceof HearthError) return fail(cmd.id, { code: err.code, message: err.message });
      throw err;
    }
    if (entity.binding.optimistic && cmd.value !== undefined) {
      d.reported[cmd.capability] = cmd.value;
      await publishState(d);
    }
    return { id: cmd.id, ok: true };
  }

  async function onCommand(topic: string, payload: Buffer): Promise<void> {
    const t = parseTopic(topic);
    const d = t?.kind === 'device' ? devices.get(t.deviceId) : undefined;
    if (!d) return;
    const decoded = decodeJson(CommandSchema, payload, PAYLOAD_LIMITS.cmd);
    if (!decoded.ok) return log.warn({ deviceId: d.id, error: decoded.error }, 'refused command');
    const cmd = decoded.value;
    // A command id is performed once: a resend (after a reconnect) hears the first outcome again.
    const seen = recent.get(cmd.id);
    await ack(d.id, seen ?? (await perform(d, cmd)));
  }

  return {
    name: owner,
    entities: () => [
      ...[...byConfig].map(([configTopic, deviceId]) => ({
        configTopic,
        component: devices.get(deviceId)?.entities.get(configTopic)?.component ?? '',
        deviceId,
        ok: true,
      })),
      ...rejected.values(),
    ],
    async start() {
      const handler = (topic: string, payload: Buffer) =>
        void onConfig(topic, payload).catch((err: unknown) => log.error({ err, topic }, 'discovery failed'));
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
          for (const topic of d.entities.keys()) byConfig.delete(topic);
          void subs.set(deviceId, []);
        }),
      );
      opts.connection?.onConnection((connected) => {
        if (connected) return; // retained configs and availability arrive again with the subscriptions
        for (const d of devices.values()) {
          d.available.clear();
          lastOnline.set(d.id, false);
          void hub
            .publish(deviceTopic(d.id, 'status'), 'offline', { retain: true, qos: 1 })
            .catch(() => undefined);
        }
      });
      if (opts.birth) await remote.publish(`${opts.prefix}/status`, 'online', { retain: true, qos: 1 });
    },
    async stop() {
      for (const u of unsubscribes.splice(0)) await u();
      await subs.clear();
      devices.clear();
      byConfig.clear();
      lastOnline = new Map();
    },
  };
}
