// Coalesces many small writes into one transaction per event-loop tick (batch SQLite
// writes in one transaction per tick rather than one per message). Writes that must be durable
// before the caller is answered (a new command) go straight to the store instead.
import type Database from 'better-sqlite3';
import type { Logger } from '../infra/log.js';

export interface WriteBatcher {
  enqueue(write: () => void): void;
  /** Runs every queued write now (on stop, and before reads that must see them). */
  flush(): void;
}

export function createWriteBatcher(sqlite: Database.Database, log: Logger): WriteBatcher {
  let queue: Array<() => void> = [];
  let scheduled = false;
  const runAll = sqlite.transaction((writes: Array<() => void>) => {
    for (const write of writes) write();
  });

  const flush = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const writes = queue;
    queue = [];
    try {
      runAll(writes);
    } catch (err) {
      log.error({ err, writes: writes.length }, 'batched write failed; retrying one by one');
      for (const write of writes) {
        try {
          write();
        } catch (e) {
          log.error({ err: e }, 'write dropped');
        }
      }
    }
  };

  return {
    enqueue(write) {
      queue.push(write);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
