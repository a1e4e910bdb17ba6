// Tables of the scheduler. Only tables here (no queries): camelCase keys, snake_case columns.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { devices } from './core.js';

export const schedules = sqliteTable(
  'schedules',
  {
    id: text('id').primaryKey(),
    /** A removed device takes its schedules with it (the run log stays). */
    deviceId: text('device_id')
      .notNull()
      .references(() => devices.id, { onDelete: 'cascade' }),
    name: text('name'),
    /** JSON `{ capability, value? | params? }`, validated against the device when saved. */
    command: text('command', { mode: 'json' })
      .$type<{ capability: string; value?: boolean | number | string; params?: Record<string, number> }>()
      .notNull(),
    cron: text('cron'),
    /** One-off instant (epoch ms). */
    at: integer('at'),
    sunEvent: text('sun_event', { enum: ['sunrise', 'sunset'] }),
    sunOffsetMinutes: integer('sun_offset_minutes'),
    tz: text('tz').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    /** JSON CatchUp (shared/payloads.ts). */
    catchUp: text('catch_up', { mode: 'json' })
      .$type<{ policy: 'skip' } | { policy: 'run-once-if-late'; withinMinutes: number }>()
      .notNull(),
    /** Every occurrence up to here has been planned by the hub (run or recorded as missed). */
    lastEvaluatedAt: integer('last_evaluated_at').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('schedules_device').on(t.deviceId)],
);

/** Exactly one row per occurrence, whoever ran it: the occurrence id is the key. */
export const scheduleRuns = sqliteTable(
  'schedule_runs',
  {
    occurrence: text('occurrence').primaryKey(),
    scheduleId: text('schedule_id').notNull(),
    deviceId: text('device_id').notNull(),
    scheduledAt: integer('scheduled_at').notNull(),
    ranAt: integer('ran_at'),
    by: text('by', { enum: ['hub', 'device'] }).notNull(),
    status: text('status', { enum: ['issued', 'ok', 'failed', 'missed'] }).notNull(),
    /** How late it ran, in ms. */
    late: integer('late'),
    catchUp: integer('catch_up', { mode: 'boolean' }).notNull().default(false),
    /** Why it was missed (skip-policy, beyond-catch-up, superseded, …). */
    reason: text('reason'),
    commandId: text('command_id'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [
    index('schedule_runs_schedule').on(t.scheduleId, t.scheduledAt),
    index('schedule_runs_at').on(t.scheduledAt),
  ],
);

/** What was last pushed to each schedule-keeping device; the version only grows. */
export const schedulePushes = sqliteTable('schedule_pushes', {
  deviceId: text('device_id').primaryKey(),
  version: integer('version').notNull(),
  /** sha256 of the pushed schedules, so an unchanged list keeps its version. */
  digest: text('digest').notNull(),
  pushedAt: integer('pushed_at').notNull(),
});
