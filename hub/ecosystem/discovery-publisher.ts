// Publishes Home Assistant discovery for Hearth's own devices (retained; cleared when a device is
// removed or loses a capability) and carries out what Home Assistant sends on Hearth's command
// topics: each message becomes one command on the hub's command path, with its validation, expiry
// and once-only delivery. Who may send them is the broker's ACL: an integration user whose publish
// filters cover `hearth/ha/<id>/…` (README: Home Assistant).
import { createHash } from 'node:crypto';
import { isHearthError } from '../../shared/errors.js';
import { allDevicesTopic, deviceTopic, parseTopic } from '../../shared/topics.js';
import type { CoreContext, HubMessaging } from '../core/context.js';
import type { Unit } from '../infra/unit.js';
import { FOREIGN_MODEL } from './foreign-device.js';
import { requestFromHa } from './ha-command-payload.js';
import { HA_COMMAND_FILTER, haConfigsFor, parseHaCommandTopic } from './ha-configs.js';

export interface DiscoveryPublisherOptions {
  prefix: string;
  /** Where Home Assistant listens (the hub's broker, or a bridged one). */
  messaging: HubMessaging;
  source: string;
  /**
   * On a bridged broker: copy each device's retained state and status there too (Home Assistant
   * reads them from the broker it is on), and announce everything again on every reconnect.
   */
  bridge?: { onConnection(listener: (connected: boolean) => void): void };
}

export function createDiscoveryPublisher(ctx: CoreContext, opts: DiscoveryPublisherOptions): Unit {
  const { registry, bus, commands } = ctx;
  const log = ctx.log.child({ module: 'ha-publish', source: opts.source });
  const owner = `ha-publish:${opts.source}`;
  // device id → topic → a digest of the payload last published (a thousand devices' configs stay small)
  const published = new Map<string, Map<string, string>>();
  const unsubscribes: Array<() => Promise<void> | void> = [];

  async function sync(deviceId: string): Promise<void> {
    const view = registry.get(deviceId);
    const next = new Map<string, string>();
    if (view && view.model !== FOREIGN_MODEL)
      for (const m of haConfigsFor(opts.prefix, view)) next.set(m.topic, JSON.stringify(m.config));
    const digests = new Map([...next].map(([t, p]) => [t, createHash('sha1').update(p).digest('base64')]));
    const prev = published.get(deviceId) ?? new Map<string, string>();
    if (next.size > 0) published.set(deviceId, digests);
    else published.delete(deviceId);
    for (const [topic, payload] of next)
      if (prev.get(topic) !== digests.get(topic))
        await opts.messaging.publish(topic, payload, { retain: true, qos: 1 });
    for (const topic of prev.keys())
      if (!next.has(topic)) await opts.messaging.publish(topic, '', { retain: true, qos: 1 });
  }
  const resync = ({ deviceId }: { deviceId: string }) =>
    sync(deviceId).catch((err: unknown) => log.warn({ err, deviceId }, 'discovery publish failed'));

  const own = (deviceId: string) => {
    const v = registry.get(deviceId);
    return v !== undefined && v.model !== FOREIGN_MODEL ? v : undefined;
  };
  /** Everything again, after a (re)connect: configs, then each device's last state and status. */
  async function resyncAll(): Promise<void> {
    published.clear();
    for (const { id } of registry.list()) {
      await sync(id);
      // Read again after the await, and publish state and status with no await between them: what
      // is published is the newest the hub holds, and a report mirrored meanwhile goes out after.
      const d = opts.bridge ? own(id) : undefined;
      if (!d) continue;
      const sent: Array<Promise<void>> = [];
      // A device that has reported nothing yet gets no state there: an empty one would read as
      // "every value unknown" and be retained; its first report is mirrored when it comes.
      if (d.reportedAt !== null) {
        const state = { seq: Math.max(0, d.reportedSeq), ts: d.reportedAt, values: d.reported };
        sent.push(
          opts.messaging.publish(deviceTopic(d.id, 'state'), JSON.stringify(state), { retain: true, qos: 1 }),
        );
      }
      sent.push(
        opts.messaging.publish(deviceTopic(d.id, 'status'), d.online ? 'online' : 'offline', {
          retain: true,
          qos: 1,
        }),
      );
      await Promise.all(sent);
    }
  }
  /** One catch-up at a time: a reconnect during one makes it run once more when it ends. */
  let catchingUp = false;
  let again = false;
  async function catchUp(failure: string): Promise<void> {
    if (catchingUp) {
      again = true;
      return;
    }
    catchingUp = true;
    try {
      do {
        again = false;
        await resyncAll().catch((err: unknown) => log.warn({ err }, failure));
      } while (again);
    } finally {
      catchingUp = false;
    }
  }
  const mirror = (topic: string, payload: Buffer) => {
    const t = parseTopic(topic);
    if (t?.kind !== 'device' || !own(t.deviceId)) return;
    opts.messaging.publish(topic, payload, { retain: true, qos: 1 }).catch(() => undefined);
  };

  async function onCommand(topic: string, payload: Buffer): Promise<void> {
    const where = parseHaCommandTopic(topic);
    const view = where ? registry.get(where.deviceId) : undefined;
    if (!where || !view || view.model === FOREIGN_MODEL) return;
    const descriptor = view.capabilities.find((c) => c.name === where.capability);
    try {
      if (!descriptor) throw new Error(`${view.id} has no ${where.capability}`);
      const request = requestFromHa(descriptor, payload.toString('utf8'));
      await commands.issue(
        { deviceId: view.id, capability: descriptor.name, ...request, source: `mqtt:${opts.source}` },
        { waitMs: 0 },
      );
    } catch (err) {
      const code = isHearthError(err) ? err.code : 'invalid_payload';
      log.warn(
        { deviceId: view.id, capability: where.capability, code },
        `refused: ${(err as Error).message}`,
      );
    }
  }

  return {
    name: owner,
    async start() {
      for (const event of ['device.added', 'device.info', 'device.updated', 'device.removed'] as const)
        unsubscribes.push(bus.on(event, owner, resync));
      unsubscribes.push(
        await opts.messaging.subscribe(HA_COMMAND_FILTER, (topic, payload) => {
          void onCommand(topic, payload);
        }),
      );
      if (opts.bridge) {
        for (const channel of ['state', 'status'] as const)
          unsubscribes.push(await ctx.messaging.subscribe(allDevicesTopic(channel), mirror));
        opts.bridge.onConnection((connected) => {
          if (connected) void catchUp('bridge catch-up failed');
        });
        return; // the first sync runs when the bridge connects
      }
      // In the background: a thousand devices' configs must not hold up the hub's start.
      void catchUp('discovery publish failed');
    },
    async stop() {
      for (const u of unsubscribes.splice(0)) await u();
      published.clear();
    },
  };
}
