// The cloud sync outbox: every outgoing change is written here before it is sent, and deleted
// only after the cloud broker's PUBACK.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const cloudOutbox = sqliteTable(
  'cloud_outbox',
  {
    /** Order of sending. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** Idempotency key the cloud side de-duplicates on. */
    key: text('key').notNull().unique(),
    kind: text('kind', { enum: ['state', 'availability', 'event', 'schedule-run'] }).notNull(),
    deviceId: text('device_id').notNull(),
    payload: text('payload').notNull(),
    createdAt: integer('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [index('cloud_outbox_kind_device').on(t.kind, t.deviceId)],
);
