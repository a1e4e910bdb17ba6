// The door to the idempotency_keys table: which command a (scope, key) made, and with which
// request. Prepared statements: the lookup runs on every keyed command.
import { createHash } from 'node:crypto';
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

/** A stable digest of a request: the same fields in any key order give the same hash. */
export function requestHash(request: Record<string, unknown>): string {
  return createHash('sha256').update(stableJson(request)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
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
