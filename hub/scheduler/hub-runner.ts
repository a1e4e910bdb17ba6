// Runs the schedules that live in the hub: one due-queue for all of them, planning with the shared
// engine, and commands issued without awaiting each ack. The occurrence is written to the run log
// in the same SQLite transaction as the command itself, so a hub killed at any point either did
// both or neither: a run is never performed twice, and never recorded without its command.
import { HearthError } from '../../shared/errors.js';
import {
  DEFAULT_GRACE_MS,
  type DuePlan,
  type OccurrenceSource,
  occurrenceId,
  planDue,
} from '../../shared/schedule-engine.js';
import type { CommandRecord } from '../../shared/views.js';
import type { CoreContext } from '../core/context.js';
import { createDueQueue, type DueItem } from './due-queue.js';
import type { RunLog } from './run-log.js';
import type { ScheduleRow, ScheduleStore } from './schedule-store.js';

export interface FiredRun {
  scheduleId: string;
  occurrence: string;
  scheduledAt: number;
  /** ms between the occurrence and the moment its command was handed to the command service. */
  lateMs: number;
}

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
  onSettled(run: { scheduleId: string; deviceId: string; occurrence: string; ok: boolean }): void;
  /** Observes every hub-issued run (the lateness bench listens here). */
  onFired?: (run: FiredRun) => void;
  graceMs?: number;
}

interface Tracked {
  row: ScheduleRow;
  source: OccurrenceSource;
  since: number;
  next: number | null;
}

const TERMINAL = new Set(['done', 'failed', 'expired']);

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
  /** Hub runs whose command has not settled yet, by command id. */
  const awaiting = new Map<string, { occurrence: string; scheduleId: string; deviceId: string }>();
  const firedCount = ctx.metrics.counter('hearth_schedule_runs_total', 'Schedule occurrences by outcome');
  let unsubscribe: (() => void) | undefined;
  let stopped = false;

  const settle = (
    commandId: string,
    record: { status: string; error?: { code: string; message: string } | undefined },
  ) => {
    const run = awaiting.get(commandId);
    if (!run || !TERMINAL.has(record.status)) return;
    awaiting.delete(commandId);
    const ok = record.status === 'done';
    runLog.settle(run.occurrence, {
      status: ok ? 'ok' : 'failed',
      commandId,
      ...(record.error ? { error: { code: record.error.code, message: record.error.message } } : {}),
    });
    firedCount.inc({ by: 'hub', outcome: ok ? 'ok' : 'failed' });
    onSettled({ ...run, ok });
  };

  const follow = (occurrence: string, t: Tracked, issued: Promise<CommandRecord>) => {
    issued.then(
      (record) => {
        awaiting.set(record.id, { occurrence, scheduleId: t.row.id, deviceId: t.row.deviceId });
        settle(record.id, record);
      },
      (err: unknown) => {
        const error =
          err instanceof HearthError ? err.toBody() : { code: 'internal' as const, message: String(err) };
        log.warn(
          { scheduleId: t.row.id, occurrence, code: error.code },
          `scheduled command refused: ${error.message}`,
        );
        runLog.settle(occurrence, { status: 'failed', error });
        firedCount.inc({ by: 'hub', outcome: 'failed' });
        onSettled({ occurrence, scheduleId: t.row.id, deviceId: t.row.deviceId, ok: false });
      },
    );
  };

  /** Plans one schedule up to `now`; returns the command to follow, if it fired. */
  /** Book-keeping writes of a tick, run in its transaction once every run has been handed over. */
  type Later = Array<() => void>;

  const execute = (t: Tracked, now: number, fired: Array<() => void>, later: Later) => {
    const { row } = t;
    // Fast path: the occurrence we were waiting for, on time; nothing to search for.
    const onTime = t.next !== null && t.next <= now && now - t.next <= graceMs;
    const plan: DuePlan = onTime
      ? {
          run: { instant: t.next as number, late: now - (t.next as number), catchUp: false },
          missed: [],
          truncated: false,
        }
      : planDue(t.source, row.catchUp, t.since, now, { graceMs });
    const evaluatedTo = onTime ? (t.next as number) : now;
    for (const m of plan.missed) {
      runLog.insert({
        occurrence: occurrenceId(row.id, m.instant),
        scheduleId: row.id,
        deviceId: row.deviceId,
        scheduledAt: m.instant,
        ranAt: null,
        by: 'hub',
        status: 'missed',
        reason: m.reason,
      });
      firedCount.inc({ by: 'hub', outcome: 'missed' });
    }
    if (plan.truncated)
      log.warn({ scheduleId: row.id }, 'more occurrences were missed than the run log records');
    if (plan.run) {
      const { instant, catchUp } = plan.run;
      const occurrence = occurrenceId(row.id, instant);
      // How late the run is handed to the command path: measured now, just before the handover
      // (which follows at once, in this transaction), rather than written again after it.
      const late = clock.now() - instant;
      const fresh = runLog.insert({
        occurrence,
        scheduleId: row.id,
        deviceId: row.deviceId,
        scheduledAt: instant,
        ranAt: now,
        by: 'hub',
        status: 'issued',
        late,
        catchUp,
        reason: catchUp ? 'late' : null,
      });
      if (fresh) {
        const catchUpMs = row.catchUp.policy === 'skip' ? graceMs : row.catchUp.withinMinutes * 60_000;
        const issued = ctx.commands.issue(
          {
            deviceId: row.deviceId,
            capability: row.command.capability,
            value: row.command.value,
            params: row.command.params,
            // A scheduled command is worth delivering only as long as the schedule would catch up.
            ttlMs: Math.max(catchUpMs - late, 1000),
            source: `schedule:${row.id}`,
            occurrence,
          },
          {
            waitMs: 0,
            onRecorded: (commandId) => later.push(() => runLog.setCommand(occurrence, commandId)),
          },
        );
        onFired?.({ scheduleId: row.id, occurrence, scheduledAt: instant, lateMs: late });
        fired.push(() => follow(occurrence, t, issued));
      }
    }
    t.since = evaluatedTo;
    later.push(() => store.markEvaluated(row.id, evaluatedTo));
  };

  const runBatch = (keys: string[], now: number) => {
    const fired: Array<() => void> = [];
    const later: Later = [];
    const batch = keys.map((k) => tracked.get(k)).filter((t): t is Tracked => Boolean(t?.row.enabled));
    // One transaction for the whole tick: run rows, commands, and evaluation marks. The commands
    // are published once it has committed.
    ctx.store.hot.atomically(() => {
      for (const t of batch) {
        try {
          execute(t, now, fired, later);
        } catch (err) {
          log.error({ err, scheduleId: t.row.id }, 'schedule failed to run');
        }
      }
      for (const write of later) write();
    });
    for (const f of fired) f();
    // Planning the next occurrences (~50 µs each in a time zone) waits a turn, so the commands
    // just published leave first. Anything still due then (a long stall, a clock jump) fires on
    // the queue's next turn.
    if (fired.length === 0) replan(batch);
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
      for (const run of runLog.unsettled()) {
        if (!run.commandId) {
          runLog.settle(run.occurrence, {
            status: 'failed',
            error: { code: 'internal', message: 'the hub stopped before the command was handed over' },
          });
          continue;
        }
        awaiting.set(run.commandId, run);
        const record = ctx.commands.get(run.commandId);
        if (record) settle(run.commandId, record);
      }
      unsubscribe = ctx.bus.on('command.updated', 'scheduler', (u) => settle(u.commandId, u));
      stopped = false;
      queue.start();
    },
    stop() {
      stopped = true;
      queue.stop();
      unsubscribe?.();
    },
  };
}
