// The device registry: identities, credentials and the shadow (reported + desired state), kept in
// memory for the hot paths (auth on connect, command validation) and written through to SQLite.
// Reported state is written here; desired state belongs to the twin (twin.ts), which writes it.
import { randomBytes } from 'node:crypto';
import { HearthError } from '../../../shared/errors.js';
import { DEVICE_CHANNELS, deviceTopic, isDeviceId } from '../../../shared/topics.js';
import type { DeviceRegistry, HubContext, HubMessaging } from '../context.js';
import { generateSecret, hashSecret, verifySecret } from '../secrets.js';
import { createEntryWriter, type DeviceEntry } from './entry-writer.js';
import { defaultCapabilities } from './model-defaults.js';
import { viewOf } from './stored-view.js';

export interface RegistryDeps {
  ctx: HubContext;
  messaging: HubMessaging;
  /** Disconnects a device's MQTT client (when it is removed). */
  kick?: (clientId: string) => void;
}

export interface InternalRegistry extends DeviceRegistry {
  /** Loads every device from the store; all start offline until they connect. */
  load(): void;
  /** Mutable entry for the shadow ingest; undefined for unknown ids. */
  entry(deviceId: string): DeviceEntry | undefined;
  persistShadow(entry: DeviceEntry): void;
  persistDevice(entry: DeviceEntry): void;
  /** Online when its client connects or it says so; offline on its will or when its client goes. */
  setAvailability(deviceId: string, online: boolean): void;
  onlineCount(): number;
}

export function createDeviceRegistry({ ctx, messaging, kick }: RegistryDeps): InternalRegistry {
  const { clock, bus, writes: batcher } = ctx;
  const repo = ctx.repos.devices;
  const entries = new Map<string, DeviceEntry>();

  const { persistDevice, persistPresence, persistShadow } = createEntryWriter(ctx);

  return {
    load() {
      entries.clear();
      for (const d of repo.loadAll()) {
        entries.set(d.id, { secretHash: d.secretHash, view: viewOf(d) });
      }
    },
    entry: (id) => entries.get(id),
    setAvailability(deviceId, online) {
      const e = entries.get(deviceId);
      if (!e || e.view.online === online) return;
      const at = clock.now();
      e.view = { ...e.view, online, lastSeenAt: at };
      persistPresence(e);
      bus.emit('device.availability', { deviceId, online, at });
    },
    persistShadow,
    persistDevice,
    onlineCount: () => {
      let n = 0;
      for (const e of entries.values()) if (e.view.online) n++;
      return n;
    },
    list: () => [...entries.values()].map((e) => e.view),
    get: (id) => entries.get(id)?.view,
    create({ name, model, room = null, id }) {
      const deviceId = id ?? newDeviceId(model, (candidate) => entries.has(candidate));
      if (!isDeviceId(deviceId))
        throw new HearthError('invalid_device_id', `"${deviceId}" is not a valid device id`);
      if (entries.has(deviceId))
        throw new HearthError('conflict', `a device with id ${deviceId} already exists`);
      const secret = generateSecret();
      const secretHash = hashSecret(secret);
      const now = clock.now();
      const capabilities = defaultCapabilities(model);
      repo.insert({ id: deviceId, name, room, model, capabilities, secretHash, createdAt: now });
      ctx.repos.audit.record('api', 'device.create', deviceId, { model, name });
      const entry: DeviceEntry = {
        secretHash,
        view: viewOf({
          id: deviceId,
          name,
          room,
          model,
          firmware: null,
          lastSeenAt: null,
          createdAt: now,
          capabilities,
          reported: {},
          reportedSeq: -1,
          reportedAt: null,
          desired: {},
          schedulesVersion: null,
        }),
      };
      entries.set(deviceId, entry);
      bus.emit('device.added', { deviceId });
      return { device: entry.view, secret };
    },
    update(deviceId, patch) {
      const e = entries.get(deviceId);
      if (!e) throw new HearthError('unknown_device', `no device with id ${deviceId}`);
      e.view = { ...e.view, ...patch };
      persistDevice(e);
      bus.emit('device.updated', { deviceId });
      return e.view;
    },
    async remove(deviceId) {
      const e = entries.get(deviceId);
      if (!e) throw new HearthError('unknown_device', `no device with id ${deviceId}`);
      entries.delete(deviceId);
      batcher.flush();
      repo.remove(deviceId);
      ctx.repos.audit.record('api', 'device.remove', deviceId);
      kick?.(deviceId);
      // Clear its retained topics so nothing stale is handed to later subscribers.
      await Promise.all(
        DEVICE_CHANNELS.map((channel) =>
          messaging.publish(deviceTopic(deviceId, channel), '', { retain: true }),
        ),
      );
      bus.emit('device.removed', { deviceId });
    },
    verifySecret(deviceId, secret) {
      const e = entries.get(deviceId);
      return e !== undefined && verifySecret(secret, e.secretHash);
    },
  };
}

function newDeviceId(model: string, taken: (id: string) => boolean): string {
  const base =
    model
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '')
      .slice(0, 40) || 'device';
  for (;;) {
    const id = `${base}-${randomBytes(3).toString('hex')}`;
    if (!taken(id)) return id;
  }
}
