// Devices and their shadows on disk: identity rows, reported and desired state, state history and
// events. The registry and the twin own these facts in memory; this is where they are written.
import { and, desc, eq, gt } from 'drizzle-orm';
import type { Store } from './db.js';
import { deviceState, devices, stateHistory } from './schema/index.js';

/** A device's identity row, as the registry saves it. */
export interface DeviceIdentity {
  id: string;
  name: string;
  room: string | null;
  model: string;
  firmware: string | null;
  capabilities: unknown[];
  online: boolean;
  lastSeenAt: number | null;
}

/** A device as stored: its identity row (offline: nothing is connected yet) joined with its shadow. */
export interface StoredDevice extends Omit<DeviceIdentity, 'online'> {
  secretHash: string;
  createdAt: number;
  reported: Record<string, unknown>;
  reportedSeq: number;
  reportedAt: number | null;
  desired: Record<string, unknown>;
  schedulesVersion: number | null;
}

export interface HistoryEntry {
  seq: number;
  values: Record<string, unknown>;
  at: number;
}

export interface DeviceRepository {
  /** Every device; marks them all offline on disk (none is connected to a hub that just started). */
  loadAll(): StoredDevice[];
  /** A new device with an empty shadow, in one transaction. */
  insert(
    device: Omit<
      StoredDevice,
      'reported' | 'reportedSeq' | 'reportedAt' | 'desired' | 'schedulesVersion' | 'firmware' | 'lastSeenAt'
    >,
  ): void;
  /** Deletes a device; its shadow goes with it (foreign key cascade). */
  remove(deviceId: string): void;
  saveIdentity(device: DeviceIdentity): void;
  savePresence(deviceId: string, online: boolean, lastSeenAt: number | null): void;
  saveReported(
    deviceId: string,
    reported: Record<string, unknown>,
    seq: number,
    at: number | null,
    schedulesVersion: number | null,
  ): void;
  saveDesired(deviceId: string, desired: Record<string, unknown>): void;
  appendHistory(deviceId: string, seq: number, valuesJson: string, at: number): void;
  appendEvent(deviceId: string, type: string, dataJson: string, at: number): void;
  /** Newest first. */
  history(deviceId: string, query: { since?: number | undefined; limit: number }): HistoryEntry[];
}

export function createDeviceRepository(store: Store): DeviceRepository {
  const { db } = store;
  return {
    loadAll() {
      const rows = db
        .select()
        .from(devices)
        .leftJoin(deviceState, eq(devices.id, deviceState.deviceId))
        .all();
      db.update(devices).set({ online: false }).run();
      return rows.map(({ devices: d, device_state: s }) => ({
        id: d.id,
        name: d.name,
        room: d.room,
        model: d.model,
        firmware: d.firmware,
        capabilities: d.capabilities,
        secretHash: d.secretHash,
        lastSeenAt: d.lastSeenAt,
        createdAt: d.createdAt,
        reported: s?.reported ?? {},
        reportedSeq: s?.reportedSeq ?? -1,
        reportedAt: s?.reportedAt ?? null,
        desired: s?.desired ?? {},
        schedulesVersion: s?.schedulesVersion ?? null,
      }));
    },
    insert(d) {
      store.sqlite.transaction(() => {
        db.insert(devices)
          .values({
            id: d.id,
            name: d.name,
            room: d.room,
            model: d.model,
            capabilities: d.capabilities,
            secretHash: d.secretHash,
            createdAt: d.createdAt,
            online: false,
          })
          .run();
        db.insert(deviceState).values({ deviceId: d.id, reported: {}, desired: {} }).run();
      })();
    },
    remove(deviceId) {
      db.delete(devices).where(eq(devices.id, deviceId)).run();
    },
    saveIdentity(d) {
      store.hot.updateDevice.run(
        d.name,
        d.room,
        d.model,
        d.firmware,
        JSON.stringify(d.capabilities),
        d.online ? 1 : 0,
        d.lastSeenAt,
        d.id,
      );
    },
    savePresence(deviceId, online, lastSeenAt) {
      store.hot.updatePresence.run(online ? 1 : 0, lastSeenAt, deviceId);
    },
    saveReported(deviceId, reported, seq, at, schedulesVersion) {
      store.hot.updateShadow.run(JSON.stringify(reported), seq, at, schedulesVersion, deviceId);
    },
    saveDesired(deviceId, desired) {
      store.hot.updateDesired.run(JSON.stringify(desired), deviceId);
    },
    appendHistory(deviceId, seq, valuesJson, at) {
      store.hot.insertHistory.run(deviceId, seq, valuesJson, at);
    },
    appendEvent(deviceId, type, dataJson, at) {
      store.hot.insertEvent.run(deviceId, type, dataJson, at);
    },
    history(deviceId, { since, limit }) {
      const where =
        since !== undefined
          ? and(eq(stateHistory.deviceId, deviceId), gt(stateHistory.at, since))
          : eq(stateHistory.deviceId, deviceId);
      return db
        .select({ seq: stateHistory.seq, values: stateHistory.values, at: stateHistory.at })
        .from(stateHistory)
        .where(where)
        .orderBy(desc(stateHistory.at))
        .limit(limit)
        .all();
    },
  };
}
