// The durable outbox: changes go to SQLite (one transaction per tick) before anything is sent.
// Events are never dropped. Successive states (and availabilities) of a device coalesce: the
// newest replaces the device's row not yet sent AND moves to the end of the queue, so the order
// invariant holds: per device, the cloud never receives a change older than one it already has
// (a coalesced state that kept its old place would arrive before events that happened earlier
// than it, and later events would then look older than it). Past the bound, the oldest states go.
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';

export type OutboxKind = 'state' | 'availability' | 'event' | 'schedule-run';

export interface OutboxRow {
  seq: number;
  key: string;
  kind: OutboxKind;
  deviceId: string;
  payload: string;
  createdAt: number;
}

export interface Outbox {
  add(kind: OutboxKind, deviceId: string, data: unknown, at: number): void;
  /** Writes what add() queued (also runs by itself once per tick). */
  flush(): void;
  peek(limit: number, afterSeq?: number): OutboxRow[];
  remove(seq: number): void;
  depth(): number;
  oldestAt(): number | null;
  /** Rows dropped by the bound, by kind. */
  readonly dropped: Record<string, number>;
}

export function createOutbox(
  sqlite: Database.Database,
  maxQueue: number,
  onDrop: (kind: string, n: number) => void,
): Outbox {
  const insert = sqlite.prepare(
    'INSERT INTO cloud_outbox (key, kind, device_id, payload, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  // Only rows not yet handed to the drainer coalesce: a row in flight keeps the payload it was sent with.
  const pendingState = sqlite.prepare(
    'SELECT seq FROM cloud_outbox WHERE kind = ? AND device_id = ? AND seq > ? ORDER BY seq DESC LIMIT 1',
  );
  let handedOut = 0;
  const peekStmt = sqlite.prepare(
    'SELECT seq, key, kind, device_id AS deviceId, payload, created_at AS createdAt FROM cloud_outbox WHERE seq > ? ORDER BY seq LIMIT ?',
  );
  const del = sqlite.prepare('DELETE FROM cloud_outbox WHERE seq = ?');
  const count = sqlite.prepare('SELECT count(*) AS n FROM cloud_outbox');
  const oldest = sqlite.prepare('SELECT min(created_at) AS at FROM cloud_outbox');
  const dropOldest = sqlite.prepare(
    "DELETE FROM cloud_outbox WHERE seq IN (SELECT seq FROM cloud_outbox WHERE kind IN ('state', 'availability') ORDER BY seq LIMIT ?)",
  );
  const keyPrefix = randomBytes(4).toString('hex');
  let counter = 0;
  let depth = (count.get() as { n: number }).n;
  let queue: Array<[OutboxKind, string, string, number]> = [];
  let scheduled = false;
  const dropped: Record<string, number> = {};

  const write = sqlite.transaction((batch: Array<[OutboxKind, string, string, number]>) => {
    for (const [kind, deviceId, payload, at] of batch) {
      const key = `${keyPrefix}-${(++counter).toString(36)}-${at.toString(36)}`;
      if (kind === 'state' || kind === 'availability') {
        const row = pendingState.get(kind, deviceId, handedOut) as { seq: number } | undefined;
        if (row) {
          // Moves to the newest position: deleted here, inserted below (the depth is unchanged).
          del.run(row.seq);
          depth--;
        }
      }
      insert.run(key, kind, deviceId, payload, at);
      depth++;
    }
    if (depth > maxQueue) {
      const n = dropOldest.run(depth - maxQueue).changes;
      depth -= n;
      if (n > 0) {
        dropped.state = (dropped.state ?? 0) + n;
        onDrop('state', n);
      }
    }
  });

  const flush = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    write(batch);
  };

  return {
    add(kind, deviceId, data, at) {
      queue.push([kind, deviceId, JSON.stringify(data), at]);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
    peek(limit, afterSeq = 0) {
      const rows = peekStmt.all(afterSeq, limit) as OutboxRow[];
      const last = rows.at(-1);
      if (last && last.seq > handedOut) handedOut = last.seq;
      return rows;
    },
    remove(seq) {
      if (del.run(seq).changes > 0) depth--;
    },
    // Rows on disk: a change is counted once it would survive a crash.
    depth: () => depth,
    oldestAt: () => (oldest.get() as { at: number | null }).at,
    dropped,
  };
}
