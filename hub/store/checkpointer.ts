// Moves the WAL into the database file on a timer instead of inside whichever commit crosses
// SQLite's page threshold. A checkpoint fsyncs the WAL and the database, on the event loop (a
// worker thread with its own connection would cost ~14 MB of RSS): at SQLite's default threshold
// that stalled one command in ~300 for ~5 ms here (far longer on an SD card), which set the round
// trip's p99. On a timer the fsyncs come twice a second at most, none while nothing is written,
// and a home hub's WAL stays small.
import type { Logger } from '../infra/log.js';
import type { Metrics } from '../infra/metrics.js';
import type { Unit } from '../infra/unit.js';
import type { Store } from './db.js';

export const CHECKPOINT_INTERVAL_MS = 500;

export function createCheckpointer(
  ctx: { store: Store; log: Logger; metrics: Metrics },
  intervalMs = CHECKPOINT_INTERVAL_MS,
): Unit {
  const log = ctx.log.child({ module: 'store' });
  const { sqlite } = ctx.store;
  const runs = ctx.metrics.counter('hearth_db_checkpoints_total', 'WAL checkpoints run by the hub');
  let lastMs = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastChanges = -1;
  const totalChanges = sqlite.prepare('SELECT total_changes() AS n').pluck();

  const checkpoint = () => {
    // total_changes() grows with every row written on this connection: unchanged means nothing to move.
    const changes = totalChanges.get() as number;
    if (changes === lastChanges) return;
    lastChanges = changes;
    const t0 = performance.now();
    try {
      const [result] = sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{
        log: number;
        checkpointed: number;
      }>;
      lastMs = performance.now() - t0;
      runs.inc();
      log.debug({ ms: Math.round(lastMs * 10) / 10, frames: result?.log }, 'checkpoint');
    } catch (err) {
      log.warn({ err }, 'checkpoint failed; SQLite checkpoints by itself past its threshold');
    }
  };

  return {
    name: 'checkpointer',
    start() {
      ctx.metrics.gauge('hearth_db_checkpoint_last_ms', 'Duration of the last WAL checkpoint', () => lastMs);
      timer = setInterval(checkpoint, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
