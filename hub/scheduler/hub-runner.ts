// Runs the schedules that live in the hub: one due-queue for all of them, planning with the shared
// engine, and commands issued without awaiting each ack. The occurrence is written to the run log
// in the same SQLite transaction as the command itself, so a hub killed at any point either did
// both or neither: a run is never performed twice, and never recorded without its command.
import { DEFAULT_GRACE_MS, type OccurrenceSource } from '../../shared/schedule-engine.js';
import type { CoreContext } from '../core/context.js';
import { createDueQueue, type DueItem } from './due-queue.js';
import { createOccurrenceExecutor, type FiredRun, type Tick, type Tracked } from './occurrence-executor.js';
import type { RunLog } from './run-log.js';
import { createRunSettlement, type SettledRun } from './run-settlement.js';
import type { ScheduleRow, ScheduleStore } from './schedule-store.js';

export type { FiredRun } from './occurrence-executor.js';

export interface HubRunner {
  /** Starts (or restarts) running a schedule; catches up on what it missed since it was last evaluated. */
  track(row: ScheduleRow, source: OccurrenceSource): void;
  untrack(scheduleId: string): void;
  tracks(scheduleId: string): boolean;
  nextRunAt(scheduleId: string): number | null;
  start(): void;
  stop(): void;
}

export interface HubRunnerDeps {
  ctx: CoreContext;
  store: ScheduleStore;
  runLog: RunLog;
  onSettled(run: SettledRun): void;
  /** Observes every hub-issued run (the lateness bench listens here). */
  onFired?: (run: FiredRun) => void;
  graceMs?: number;
}

export function createHubRunner({
  ctx,
  store,
  runLog,
  onSettled,
  onFired,
  graceMs = DEFAULT_GRACE_MS,
}: HubRunnerDeps): HubRunner {
  const log = ctx.log.child({ module: 'scheduler' });
  const clock = ctx.clock;
  const tracked = new Map<string, Tracked>();
  const firedCount = ctx.metrics.counter('hearth_schedule_runs_total', 'Schedule occurrences by outcome');
  const settlement = createRunSettlement({ ctx, runLog, firedCount, onSettled });
  const execute = createOccurrenceExecutor({
    ctx,
    store,
    runLog,
    firedCount,
    graceMs,
    onFired,
    follow: settlement.follow,
  });
  let stopped = false;

  const runBatch = (keys: string[], now: number) => {
    const tick: Tick = { fired: [], later: [] };
    const batch = keys.map((k) => tracked.get(k)).filter((t): t is Tracked => Boolean(t?.row.enabled));
    // One transaction for the whole tick: run rows, commands, and evaluation marks. The commands
    // are published once it has committed.
    ctx.store.hot.atomically(() => {
      for (const t of batch) {
        try {
          execute(t, now, tick);
        } catch (err) {
          log.error({ err, scheduleId: t.row.id }, 'schedule failed to run');
        }
      }
      for (const write of tick.later) write();
    });
    for (const f of tick.fired) f();
    // Planning the next occurrences (~50 µs each in a time zone) waits a turn, so the commands
    // just published leave first. Anything still due then (a long stall, a clock jump) fires on
    // the queue's next turn.
    if (tick.fired.length === 0) replan(batch);
    else setImmediate(() => replan(batch));
  };

  const replan = (batch: Tracked[]) => {
    if (stopped) return;
    for (const t of batch) {
      if (tracked.get(t.row.id) !== t || !t.row.enabled) continue; // removed or replaced meanwhile
      t.next = t.source.nextAfter(t.since);
      queue.set(t.row.id, t.next);
    }
  };

  const queue = createDueQueue({
    now: () => clock.now(),
    onDue: (items: DueItem[], now) =>
      runBatch(
        items.map((i) => i.key),
        now,
      ),
  });

  return {
    track(row, source) {
      const t: Tracked = { row, source, since: row.lastEvaluatedAt, next: null };
      tracked.set(row.id, t);
      if (!row.enabled) {
        queue.delete(row.id);
        return;
      }
      const now = clock.now();
      t.next = source.nextAfter(t.since);
      if (t.next !== null && t.next <= now) runBatch([row.id], now);
      else queue.set(row.id, t.next);
    },
    untrack(scheduleId) {
      tracked.delete(scheduleId);
      queue.delete(scheduleId);
    },
    tracks: (id) => tracked.has(id),
    nextRunAt: (id) => {
      const t = tracked.get(id);
      if (!t?.row.enabled) return null;
      // Fired this turn and not replanned yet: the next one is known without waiting.
      if (t.next !== null && t.next <= t.since) t.next = t.source.nextAfter(t.since);
      return t.next;
    },
    start() {
      settlement.start();
      stopped = false;
      queue.start();
    },
    stop() {
      stopped = true;
      queue.stop();
      settlement.stop();
    },
  };
}
