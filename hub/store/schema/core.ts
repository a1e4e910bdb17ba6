// Tables of the hub core. Only tables here (no queries): camelCase keys, snake_case columns.
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { COMMAND_STATUSES } from '../../../shared/views.js';

export const devices = sqliteTable('devices', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  room: text('room'),
  model: text('model').notNull(),
  firmware: text('firmware'),
  /** JSON: the device's capability declarations from its last `info`. */
  capabilities: text('capabilities', { mode: 'json' }).$type<unknown[]>().notNull(),
  /** `salt:sha256` of the device secret: generated secrets get a fast salted hash (hub/security/secrets.ts). */
  secretHash: text('secret_hash').notNull(),
  online: integer('online', { mode: 'boolean' }).notNull().default(false),
  lastSeenAt: integer('last_seen_at'),
  createdAt: integer('created_at').notNull(),
});

/** The device shadow: reported state from the device and desired state from commands. */
export const deviceState = sqliteTable('device_state', {
  deviceId: text('device_id')
    .primaryKey()
    .references(() => devices.id, { onDelete: 'cascade' }),
  reported: text('reported', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  reportedSeq: integer('reported_seq').notNull().default(-1),
  reportedAt: integer('reported_at'),
  desired: text('desired', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  desiredAt: integer('desired_at'),
  schedulesVersion: integer('schedules_version'),
});

/** Reported-state history, bounded by retention. */
export const stateHistory = sqliteTable(
  'state_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deviceId: text('device_id').notNull(),
    seq: integer('seq').notNull(),
    values: text('values', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('state_history_device_at').on(t.deviceId, t.at)],
);

export const commands = sqliteTable(
  'commands',
  {
    id: text('id').primaryKey(),
    deviceId: text('device_id').notNull(),
    capability: text('capability').notNull(),
    kind: text('kind', { enum: ['setting', 'action'] }).notNull(),
    /** JSON: the value (settings) or params (actions). */
    payload: text('payload', { mode: 'json' }).notNull(),
    status: text('status', { enum: COMMAND_STATUSES }).notNull(),
    source: text('source').notNull(),
    /** For schedule-issued commands: the occurrence id it performs. */
    occurrence: text('occurrence'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    issuedAt: integer('issued_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    sentAt: integer('sent_at'),
    ackedAt: integer('acked_at'),
  },
  (t) => [index('commands_device_status').on(t.deviceId, t.status), index('commands_issued').on(t.issuedAt)],
);

export const events = sqliteTable(
  'events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    deviceId: text('device_id').notNull(),
    type: text('type').notNull(),
    data: text('data', { mode: 'json' }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('events_device_at').on(t.deviceId, t.at)],
);

export const tokens = sqliteTable('tokens', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** `salt:sha256` of the token secret: generated, so a fast salted hash is enough. */
  hash: text('hash').notNull(),
  /** admin, member or guest (hub/security/rights.ts). */
  role: text('role', { enum: ['admin', 'member', 'guest'] }).notNull(),
  /** JSON list of grants in string form (`feeder-1:feed`), guests only. */
  grants: text('grants', { mode: 'json' }).$type<string[]>().notNull(),
  createdAt: integer('created_at').notNull(),
  lastUsedAt: integer('last_used_at'),
  revokedAt: integer('revoked_at'),
});

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
});

export const auditLog = sqliteTable('audit_log', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  at: integer('at').notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  target: text('target'),
  detail: text('detail', { mode: 'json' }),
});

/** Factory devices seen on the provisioning topics, awaiting adoption. */
export const discovered = sqliteTable(
  'discovered',
  {
    claimId: text('claim_id').notNull(),
    model: text('model').notNull(),
    firmware: text('firmware').notNull(),
    capabilities: text('capabilities', { mode: 'json' }).$type<unknown[]>().notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.claimId] })],
);

/** Named MQTT users for integrations (Home Assistant, Node-RED, bridges), with their own filters. */
export const mqttUsers = sqliteTable('mqtt_users', {
  name: text('name').primaryKey(),
  /** `salt:sha256` of the generated password (hub/security/secrets.ts). */
  secretHash: text('secret_hash').notNull(),
  /** JSON lists of MQTT filters it may publish on and subscribe within. */
  pub: text('pub', { mode: 'json' }).$type<string[]>().notNull(),
  sub: text('sub', { mode: 'json' }).$type<string[]>().notNull(),
  createdAt: integer('created_at').notNull(),
});
