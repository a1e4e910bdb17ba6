// Tables of firmware updates: uploaded update images (the files live in <data-dir>/firmware), staged
// rollouts, and where each device of a rollout stands. Only tables here (no queries).
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const firmwareImages = sqliteTable(
  'firmware_images',
  {
    /** SHA-256 of the whole image file (hex): what offers name and devices check. */
    id: text('id').primaryKey(),
    model: text('model').notNull(),
    version: text('version').notNull(),
    size: integer('size').notNull(),
    /** The image's Ed25519 signature (base64url) and the release key id that made it. */
    signature: text('signature').notNull(),
    keyId: text('key_id').notNull(),
    uploadedAt: integer('uploaded_at').notNull(),
  },
  (t) => [uniqueIndex('firmware_images_model_version').on(t.model, t.version)],
);

export const firmwareRollouts = sqliteTable(
  'firmware_rollouts',
  {
    id: text('id').primaryKey(),
    model: text('model').notNull(),
    version: text('version').notNull(),
    imageId: text('image_id')
      .notNull()
      .references(() => firmwareImages.id),
    /** JSON: cumulative wave sizes in percent after the canary, e.g. [10, 50, 100]. */
    waves: text('waves', { mode: 'json' }).$type<number[]>().notNull(),
    canary: integer('canary').notNull(),
    maxFailures: integer('max_failures').notNull(),
    /** The release key's signed permission to go back to an older version, when it is a downgrade. */
    allowDowngrade: text('allow_downgrade'),
    status: text('status', { enum: ['running', 'completed', 'halted'] }).notNull(),
    /** The wave being offered (0 = the canary). */
    currentWave: integer('current_wave').notNull(),
    haltedReason: text('halted_reason'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('firmware_rollouts_status').on(t.status)],
);

export const firmwareRolloutDevices = sqliteTable(
  'firmware_rollout_devices',
  {
    rolloutId: text('rollout_id')
      .notNull()
      .references(() => firmwareRollouts.id, { onDelete: 'cascade' }),
    deviceId: text('device_id').notNull(),
    wave: integer('wave').notNull(),
    fromVersion: text('from_version'),
    status: text('status', { enum: ['waiting', 'offered', 'updated', 'failed', 'rolled-back'] }).notNull(),
    offeredAt: integer('offered_at'),
    doneAt: integer('done_at'),
    reason: text('reason'),
  },
  (t) => [
    primaryKey({ columns: [t.rolloutId, t.deviceId] }),
    index('firmware_rollout_devices_device').on(t.deviceId),
  ],
);
