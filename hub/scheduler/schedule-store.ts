// Schedules in SQLite. Reads go through drizzle; `markEvaluated`, on the firing path, is a
// prepared statement.
import { eq } from 'drizzle-orm';
import type { HubContext } from '../core/context.js';
import { schedules } from '../store/schema/index.js';

export type ScheduleRow = typeof schedules.$inferSelect;

export interface ScheduleStore {
  all(): ScheduleRow[];
  get(id: string): ScheduleRow | undefined;
  byDevice(deviceId: string): ScheduleRow[];
  insert(row: ScheduleRow): void;
  replace(row: ScheduleRow): void;
  delete(id: string): boolean;
  deleteByDevice(deviceId: string): number;
  /** Every occurrence up to `at` has been planned. */
  markEvaluated(id: string, at: number): void;
}

export function createScheduleStore(ctx: HubContext): ScheduleStore {
  const { db, sqlite } = ctx.store;
  const mark = sqlite.prepare('UPDATE schedules SET last_evaluated_at = ? WHERE id = ?');
  return {
    all: () => db.select().from(schedules).all(),
    get: (id) => db.select().from(schedules).where(eq(schedules.id, id)).get(),
    byDevice: (deviceId) => db.select().from(schedules).where(eq(schedules.deviceId, deviceId)).all(),
    insert(row) {
      db.insert(schedules).values(row).run();
    },
    replace(row) {
      const { id, ...rest } = row;
      db.update(schedules).set(rest).where(eq(schedules.id, id)).run();
    },
    delete: (id) => db.delete(schedules).where(eq(schedules.id, id)).run().changes > 0,
    deleteByDevice: (deviceId) => db.delete(schedules).where(eq(schedules.deviceId, deviceId)).run().changes,
    markEvaluated(id, at) {
      mark.run(at, id);
    },
  };
}
