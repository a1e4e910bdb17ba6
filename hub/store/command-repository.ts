// Commands on disk: recorded before they leave the hub, updated as they are sent and settled, read
// back after a restart (the ones still waiting for an ack) and for the API's command lists.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { SettingValue } from '../../shared/capabilities.js';
import type { ErrorCode } from '../../shared/errors.js';
import { ACTIVE_COMMAND_STATUSES, type CommandRecord } from '../../shared/views.js';
import type { Store } from './db.js';
import { commands } from './schema/index.js';

type Row = typeof commands.$inferSelect;

export interface CommandRepository {
  insert(record: CommandRecord): void;
  /** Saves a record's status, times and error. */
  saveStatus(record: CommandRecord): void;
  get(commandId: string): CommandRecord | undefined;
  /** Commands still waiting for an ack, in the order they were issued. */
  active(): CommandRecord[];
  /** Newest first; `limit` is clamped to 1…500. */
  list(filter: { deviceId?: string | undefined; limit: number }): CommandRecord[];
}

export function createCommandRepository(store: Store): CommandRepository {
  const { db } = store;
  return {
    insert(r) {
      store.hot.insertCommand.run(
        r.id,
        r.deviceId,
        r.capability,
        r.kind,
        JSON.stringify(r.kind === 'action' ? (r.params ?? {}) : (r.value ?? null)),
        r.status,
        r.source,
        r.issuedAt,
        r.expiresAt,
        r.sentAt,
        r.occurrence ?? null,
      );
    },
    saveStatus({ status, sentAt, ackedAt, error, id }) {
      store.hot.updateCommand.run(status, sentAt, ackedAt, error?.code ?? null, error?.message ?? null, id);
    },
    get(commandId) {
      const row = db.select().from(commands).where(eq(commands.id, commandId)).get();
      return row ? fromRow(row) : undefined;
    },
    active() {
      return db
        .select()
        .from(commands)
        .where(inArray(commands.status, ACTIVE_COMMAND_STATUSES))
        .orderBy(asc(commands.issuedAt), asc(sql`rowid`))
        .all()
        .map(fromRow);
    },
    list({ deviceId, limit }) {
      const query = db.select().from(commands);
      return (deviceId ? query.where(and(eq(commands.deviceId, deviceId))) : query)
        .orderBy(desc(commands.issuedAt))
        .limit(Math.min(Math.max(limit, 1), 500))
        .all()
        .map(fromRow);
    },
  };
}

function fromRow(row: Row): CommandRecord {
  const base: CommandRecord = {
    id: row.id,
    deviceId: row.deviceId,
    capability: row.capability,
    kind: row.kind,
    status: row.status,
    source: row.source,
    issuedAt: row.issuedAt,
    expiresAt: row.expiresAt,
    sentAt: row.sentAt,
    ackedAt: row.ackedAt,
  };
  if (row.kind === 'action') base.params = row.payload as Record<string, number>;
  else base.value = row.payload as SettingValue;
  if (row.occurrence) base.occurrence = row.occurrence;
  if (row.errorCode) base.error = { code: row.errorCode as ErrorCode, message: row.errorMessage ?? '' };
  return base;
}
