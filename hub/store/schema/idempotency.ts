// Idempotency keys of commands: a request retried with the same key gets the command it made the
// first time, never a second one. Kept at least 24 h (retention.ts).
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    /** Whose key it is ("token:<id>", "cloud"): two callers never collide on a key. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** sha256 of the request the key was first used with. */
    requestHash: text('request_hash').notNull(),
    commandId: text('command_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_created').on(t.createdAt)],
);
