// The door to the idempotency_keys table: which command a (scope, key) made, and with which
// request. Prepared statements: the lookup runs on every keyed command.
import type Database from 'better-sqlite3';

/** How long a key is remembered (retention.ts forgets older ones). */
export const IDEMPOTENCY_KEEP_MS = 24 * 3600_000;

export interface IdempotencyEntry {
  requestHash: string;
  commandId: string;
}

export interface IdempotencyStore {
  find(scope: string, key: string): IdempotencyEntry | undefined;
  /** Records a key; call inside the transaction that records its command. */
  record(scope: string, key: string, entry: IdempotencyEntry, at: number): void;
}

export function createIdempotencyStore(sqlite: Database.Database): IdempotencyStore {
  const select = sqlite.prepare<[string, string], { requestHash: string; commandId: string }>(
    'SELECT request_hash AS requestHash, command_id AS commandId FROM idempotency_keys WHERE scope = ? AND key = ?',
  );
  const insert = sqlite.prepare<[string, string, string, string, number]>(
    'INSERT INTO idempotency_keys (scope, key, request_hash, command_id, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  return {
    find: (scope, key) => select.get(scope, key),
    record: (scope, key, entry, at) => insert.run(scope, key, entry.requestHash, entry.commandId, at),
  };
}
