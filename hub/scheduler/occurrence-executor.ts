// One schedule's share of a runner tick: plan what is due, log what was missed, and hand the due
// occurrence to the command path inside the tick's transaction. Apart from the runner's queue and
// tracking so the rules of a single run read on their own.
import { type DuePlan, type OccurrenceSource, occurrenceId, planDue } from '../../shared/schedule-engine.js';
import type { CommandRecord } from '../../shared/views.js';
import type { CoreContext } from '../core/context.js';
import type { Counter } from '../infra/metrics.js';
import type { RunLog } from './run-log.js';
import type { ScheduleRow, ScheduleStore } from './schedule-store.js';

export interface FiredRun {
  scheduleId: string;
  occurrence: string;
  scheduledAt: number;
  /** ms between the occurrence and the moment its command was handed to the command service. */
  lateMs: number;
}

export interface Tracked {
  row: ScheduleRow;
  source: OccurrenceSource;
  since: number;
  next: number | null;
}

/** What one tick collects: publications to follow after commit, and book-keeping writes for it. */
export interface Tick {
  fired: Array<() => void>;
  later: Array<() => void>;
}

export function createOccurrenceExecutor(deps: {
  ctx: CoreContext;
  store: ScheduleStore;
  runLog: RunLog;
  firedCount: Counter;
  graceMs: number;
  onFired: ((run: FiredRun) => void) | undefined;
  follow(
    run: { occurrence: string; scheduleId: string; deviceId: string },
    issued: Promise<CommandRecord>,
  ): void;
}) {
  const { ctx, store, runLog, firedCount, graceMs, onFired, follow } = deps;
  const log = ctx.log.child({ module: 'scheduler' });
  const clock = ctx.clock;

  /** The plan up to `now`, and how far the schedule is then evaluated. */
  const plan = (t: Tracked, now: number): { plan: DuePlan; evaluatedTo: number } => {
    // Fast path: the occurrence we were waiting for, on time; nothing to search for.
    if (t.next !== null && t.next <= now && now - t.next <= graceMs) {
      const run = { instant: t.next, late: now - t.next, catchUp: false };
      return { plan: { run, missed: [], truncated: false }, evaluatedTo: t.next };
    }
    return { plan: planDue(t.source, t.row.catchUp, t.since, now, { graceMs }), evaluatedTo: now };
  };

  const recordMissed = (row: ScheduleRow, p: DuePlan) => {
    for (const m of p.missed) {
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
    if (p.truncated)
      log.warn({ scheduleId: row.id }, 'more occurrences were missed than the run log records');
  };

  const issue = (row: ScheduleRow, run: { instant: number; catchUp: boolean }, now: number, tick: Tick) => {
    const { instant, catchUp } = run;
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
    if (!fresh) return;
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
        onRecorded: (commandId) => tick.later.push(() => runLog.setCommand(occurrence, commandId)),
      },
    );
    onFired?.({ scheduleId: row.id, occurrence, scheduledAt: instant, lateMs: late });
    tick.fired.push(() => follow({ occurrence, scheduleId: row.id, deviceId: row.deviceId }, issued));
  };

  /** Plans one schedule up to `now`, inside the tick's transaction. */
  return (t: Tracked, now: number, tick: Tick) => {
    const { row } = t;
    const { plan: p, evaluatedTo } = plan(t, now);
    recordMissed(row, p);
    if (p.run) issue(row, p.run, now, tick);
    t.since = evaluatedTo;
    tick.later.push(() => store.markEvaluated(row.id, evaluatedTo));
  };
}
