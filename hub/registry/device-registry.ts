// The device registry: identities, credentials and the shadow (reported + desired state), kept in
// memory for the hot paths (auth on connect, command validation) and written through to SQLite.
// Reported state is written here; desired state belongs to the twin (twin.ts), which writes it.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import {
  type CapabilityDeclaration,
  capabilityDescriptor,
  describeCapability,
  isCapabilityName,
} from '../../shared/capabilities.js';
import { HearthError } from '../../shared/errors.js';
import { DeviceInfoSchema } from '../../shared/payloads.js';
import { DEVICE_CHANNELS, deviceTopic, isDeviceId } from '../../shared/topics.js';
import type { Clock, DeviceRegistry, DeviceView, HubContext, HubMessaging } from '../context.js';
import { audit } from '../security/audit.js';
import { generateSecret, hashSecret, verifySecret } from '../security/secrets.js';
import { deviceState, devices } from '../store/schema/index.js';
import { defaultCapabilities } from './model-defaults.js';
import { emptyTwinView } from './twin-view.js';

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

export interface DeviceEntry {
  view: DeviceView;
  secretHash: string;
}

export function createDeviceRegistry({ ctx, messaging, kick }: RegistryDeps): InternalRegistry {
  const { store, clock, bus, writes: batcher } = ctx;
  const entries = new Map<string, DeviceEntry>();

  // Writes are batched per tick and read the entry when they run, so the row gets the newest view
  // (never one captured earlier that would overwrite a newer, already durable desired state), and
  // many reports from one device within a tick cost one UPDATE.
  const pendingDevice = new Set<DeviceEntry>();
  const persistDevice = (e: DeviceEntry) => {
    if (pendingDevice.has(e)) return;
    pendingDevice.add(e);
    batcher.enqueue(() => {
      pendingDevice.delete(e);
      const v = e.view;
      store.hot.updateDevice.run(
        v.name,
        v.room,
        v.model,
        v.firmware,
        JSON.stringify(v.capabilities.map(declarationOf)),
        v.online ? 1 : 0,
        v.lastSeenAt,
        v.id,
      );
    });
  };

  // Coming and going (a thousand of them in a reconnect surge) touches two columns only.
  const pendingPresence = new Set<DeviceEntry>();
  const persistPresence = (e: DeviceEntry) => {
    if (pendingPresence.has(e) || pendingDevice.has(e)) return;
    pendingPresence.add(e);
    batcher.enqueue(() => {
      pendingPresence.delete(e);
      store.hot.updatePresence.run(e.view.online ? 1 : 0, e.view.lastSeenAt, e.view.id);
    });
  };

  const pendingShadow = new Set<DeviceEntry>();
  const persistShadow = (e: DeviceEntry) => {
    if (pendingShadow.has(e)) return;
    pendingShadow.add(e);
    batcher.enqueue(() => {
      pendingShadow.delete(e);
      const v = e.view;
      store.hot.updateShadow.run(
        JSON.stringify(v.reported),
        v.reportedSeq,
        v.reportedAt,
        v.schedulesVersion,
        v.id,
      );
    });
  };

  return {
    load() {
      entries.clear();
      const rows = store.db
        .select()
        .from(devices)
        .leftJoin(deviceState, eq(devices.id, deviceState.deviceId))
        .all();
      for (const { devices: d, device_state: s } of rows) {
        entries.set(d.id, {
          secretHash: d.secretHash,
          view: {
            id: d.id,
            name: d.name,
            room: d.room,
            model: d.model,
            firmware: d.firmware,
            online: false,
            lastSeenAt: d.lastSeenAt,
            createdAt: d.createdAt,
            capabilities: descriptorsOf(d.capabilities),
            reported: s?.reported ?? {},
            reportedSeq: s?.reportedSeq ?? -1,
            reportedAt: s?.reportedAt ?? null,
            desired: s?.desired ?? {},
            twin: emptyTwinView(),
            schedulesVersion: s?.schedulesVersion ?? null,
            fault: null,
          },
        });
      }
      store.db.update(devices).set({ online: false }).run();
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
      store.sqlite.transaction(() => {
        store.db
          .insert(devices)
          .values({
            id: deviceId,
            name,
            room,
            model,
            capabilities,
            secretHash,
            createdAt: now,
            online: false,
          })
          .run();
        store.db.insert(deviceState).values({ deviceId, reported: {}, desired: {} }).run();
      })();
      audit(store, clock, 'api', 'device.create', deviceId, { model, name });
      const entry: DeviceEntry = {
        secretHash,
        view: {
          id: deviceId,
          name,
          room,
          model,
          firmware: null,
          online: false,
          lastSeenAt: null,
          createdAt: now,
          capabilities: descriptorsOf(capabilities),
          reported: {},
          reportedSeq: -1,
          reportedAt: null,
          desired: {},
          twin: emptyTwinView(),
          schedulesVersion: null,
          fault: null,
        },
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
      store.db.delete(devices).where(eq(devices.id, deviceId)).run();
      audit(store, clock, 'api', 'device.remove', deviceId);
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

function declarationOf(d: {
  name: string;
  min?: number;
  max?: number;
  options?: readonly string[];
  twin?: string;
  label?: string;
  unit?: string;
  step?: number;
}) {
  const base = isCapabilityName(d.name) ? capabilityDescriptor(d.name) : undefined;
  return {
    name: d.name,
    ...(d.label !== undefined && d.label !== base?.label ? { label: d.label } : {}),
    ...(d.unit !== undefined && d.unit !== base?.unit ? { unit: d.unit } : {}),
    ...(d.step !== undefined && d.step !== base?.step ? { step: d.step } : {}),
    ...(d.twin !== undefined ? { twin: d.twin } : {}),
    ...(d.min !== undefined ? { min: d.min } : {}),
    ...(d.max !== undefined ? { max: d.max } : {}),
    ...(d.options !== undefined ? { options: [...d.options] } : {}),
  };
}

/** Capability declarations as stored; entries that no longer validate are dropped. */
export function descriptorsOf(stored: unknown[]) {
  const parsed = DeviceInfoSchema.shape.capabilities.safeParse(stored);
  const decls: CapabilityDeclaration[] = parsed.success ? parsed.data : [];
  return decls.map(describeCapability);
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

export type { Clock };
