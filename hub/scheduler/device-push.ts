// Device-run schedules are pushed retained on `hearth/dev/<id>/schedules` with a version that only
// grows. The device reports the version it runs (`schedulesVersion` in its state), which is how the
// API tells whether each schedule is in sync. An unchanged list keeps its version; the hub
// republishes every list at start, so a broker that forgot its retained messages is made whole.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { DeviceSchedule, DeviceSchedules } from '../../shared/payloads.js';
import { deviceTopic } from '../../shared/topics.js';
import type { CoreContext } from '../core/context.js';
import { schedulePushes } from '../store/schema/index.js';
import type { ScheduleRow, ScheduleStore } from './schedule-store.js';
import { runsOnDevice } from './timing.js';

export interface DevicePush {
  /** Publishes the device's list if it changed (or always, with `force`); returns the version. */
  push(deviceId: string, options?: { force?: boolean }): Promise<number | null>;
  version(deviceId: string): number | null;
}

export function createDevicePush(ctx: CoreContext, store: ScheduleStore): DevicePush {
  const log = ctx.log.child({ module: 'scheduler-push' });
  const { db } = ctx.store;

  const payloadFor = (deviceId: string): DeviceSchedules['schedules'] => {
    const device = ctx.registry.get(deviceId);
    return store
      .byDevice(deviceId)
      .filter((row) => runsOnDevice(device, row))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map(toDeviceSchedule);
  };

  return {
    async push(deviceId, options = {}) {
      const device = ctx.registry.get(deviceId);
      if (!device?.capabilities.some((c) => c.name === 'schedules')) return null;
      const list = payloadFor(deviceId);
      const digest = createHash('sha256').update(JSON.stringify(list)).digest('hex');
      const previous = db.select().from(schedulePushes).where(eq(schedulePushes.deviceId, deviceId)).get();
      if (previous?.digest === digest && !options.force) return previous.version;
      const version = previous ? (previous.digest === digest ? previous.version : previous.version + 1) : 1;
      const row = { deviceId, version, digest, pushedAt: ctx.clock.now() };
      db.insert(schedulePushes)
        .values(row)
        .onConflictDoUpdate({ target: schedulePushes.deviceId, set: row })
        .run();
      const payload: DeviceSchedules = { version, schedules: list };
      await ctx.messaging.publish(deviceTopic(deviceId, 'schedules'), JSON.stringify(payload), {
        retain: true,
        qos: 1,
      });
      log.debug({ deviceId, version, schedules: list.length }, 'schedules pushed');
      return version;
    },
    version(deviceId) {
      return (
        db.select().from(schedulePushes).where(eq(schedulePushes.deviceId, deviceId)).get()?.version ?? null
      );
    },
  };
}

function toDeviceSchedule(row: ScheduleRow): DeviceSchedule {
  return {
    id: row.id,
    ...(row.cron !== null ? { cron: row.cron } : {}),
    ...(row.at !== null ? { at: row.at } : {}),
    tz: row.tz,
    enabled: row.enabled,
    catchUp: row.catchUp,
    command: row.command as DeviceSchedule['command'],
  };
}
