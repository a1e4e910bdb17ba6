// The firmware unit's only door to SQLite: uploaded images, rollouts and each device's place in one.
import { and, asc, desc, eq } from 'drizzle-orm';
import type { HubContext } from '../core/context.js';
import { firmwareImages, firmwareRolloutDevices, firmwareRollouts } from '../store/schema/index.js';

export type ImageRow = typeof firmwareImages.$inferSelect;
export type RolloutRow = typeof firmwareRollouts.$inferSelect;
export type RolloutDeviceRow = typeof firmwareRolloutDevices.$inferSelect;
export type RolloutDeviceStatus = RolloutDeviceRow['status'];

export interface FirmwareStore {
  images(): ImageRow[];
  image(id: string): ImageRow | undefined;
  imageFor(model: string, version: string): ImageRow | undefined;
  insertImage(row: ImageRow): void;
  rollouts(): RolloutRow[];
  rollout(id: string): RolloutRow | undefined;
  running(): RolloutRow[];
  /** Creates a rollout with its planned devices, in one transaction. */
  createRollout(row: RolloutRow, devices: RolloutDeviceRow[]): void;
  updateRollout(id: string, patch: Partial<Omit<RolloutRow, 'id'>>): void;
  devices(rolloutId: string): RolloutDeviceRow[];
  updateDevice(rolloutId: string, deviceId: string, patch: Partial<RolloutDeviceRow>): void;
}

export function createFirmwareStore(ctx: HubContext): FirmwareStore {
  const { db, sqlite } = ctx.store;
  const create = sqlite.transaction((row: RolloutRow, devices: RolloutDeviceRow[]) => {
    db.insert(firmwareRollouts).values(row).run();
    for (const d of devices) db.insert(firmwareRolloutDevices).values(d).run();
  });
  // Asked on every device that comes online and every info report (a reconnect surge asks a
  // thousand times in a second); this store is the only writer of rollouts, so it knows when the
  // answer changes.
  let running: RolloutRow[] | undefined;
  return {
    images: () =>
      db
        .select()
        .from(firmwareImages)
        .orderBy(asc(firmwareImages.model), desc(firmwareImages.uploadedAt))
        .all(),
    image: (id) => db.select().from(firmwareImages).where(eq(firmwareImages.id, id)).get(),
    imageFor: (model, version) =>
      db
        .select()
        .from(firmwareImages)
        .where(and(eq(firmwareImages.model, model), eq(firmwareImages.version, version)))
        .get(),
    insertImage(row) {
      db.insert(firmwareImages).values(row).run();
    },
    rollouts: () => db.select().from(firmwareRollouts).orderBy(desc(firmwareRollouts.createdAt)).all(),
    rollout: (id) => db.select().from(firmwareRollouts).where(eq(firmwareRollouts.id, id)).get(),
    running() {
      running ??= db.select().from(firmwareRollouts).where(eq(firmwareRollouts.status, 'running')).all();
      return running.map((r) => ({ ...r }));
    },
    createRollout(row, devices) {
      running = undefined;
      create(row, devices);
    },
    updateRollout(id, patch) {
      running = undefined;
      db.update(firmwareRollouts).set(patch).where(eq(firmwareRollouts.id, id)).run();
    },
    devices: (rolloutId) =>
      db
        .select()
        .from(firmwareRolloutDevices)
        .where(eq(firmwareRolloutDevices.rolloutId, rolloutId))
        .orderBy(asc(firmwareRolloutDevices.wave), asc(firmwareRolloutDevices.deviceId))
        .all(),
    updateDevice(rolloutId, deviceId, patch) {
      db.update(firmwareRolloutDevices)
        .set(patch)
        .where(
          and(eq(firmwareRolloutDevices.rolloutId, rolloutId), eq(firmwareRolloutDevices.deviceId, deviceId)),
        )
        .run();
    },
  };
}
