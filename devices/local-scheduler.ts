// The device-side schedule runner (feeder, thermostat): runs the device's DeviceSchedules with the
// shared engine on the device's own clock (which may follow `hearth/hub/time`), so the cat is fed
// while the hub is down. Each occurrence goes through the runtime's own command path as an action
// with a command id derived from the occurrence; the runtime remembers those ids in flash, so a
// reboot that re-plans an occurrence gets the remembered result instead of a second feed. Every
// run (and every miss seen while running) is reported as a `schedule-ran` event; the hub logs each
// occurrence once, so a repeated report is harmless.
//
// What a reboot knows: the schedules (flash) and the ids of commands already run (flash), not when
// it last looked. So at boot each schedule looks back over its own catch-up window only (the grace
// minute for `skip`, N minutes for `run-once-if-late`): what fell in that window and did not run
// yet runs once; what was missed while the power was off for longer is not reported.
import type { CatchUp, DeviceSchedule, DeviceSchedules } from '../shared/payloads.js';
import {
  compileTiming,
  DEFAULT_GRACE_MS,
  type OccurrenceSource,
  occurrenceId,
  planDue,
} from '../shared/schedule-engine.js';
import type { LocalScheduler, LocalSchedulerFactory, LocalSchedulerHost } from './runtime/hooks.js';

export interface LocalSchedulerOptions {
  graceMs?: number;
  /** Longest sleep, so a clock set from hub time is noticed within this. */
  maxSleepMs?: number;
}

interface Entry {
  schedule: DeviceSchedule;
  key: string;
  source: OccurrenceSource;
  /** Planned up to here; undefined until the clock is known. */
  since: number | undefined;
  /** Loaded at boot: look back over the catch-up window, and report no misses. */
  fromBoot: boolean;
}

const windowMs = (catchUp: CatchUp, graceMs: number) =>
  catchUp.policy === 'skip' ? graceMs : Math.max(graceMs, catchUp.withinMinutes * 60_000);

export function createLocalScheduler(options: LocalSchedulerOptions = {}): LocalSchedulerFactory {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const maxSleepMs = options.maxSleepMs ?? 30_000;
  return (host) => runLocalSchedules(host, graceMs, maxSleepMs);
}

function runLocalSchedules(host: LocalSchedulerHost, graceMs: number, maxSleepMs: number): LocalScheduler {
  let entries = new Map<string, Entry>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let loads = 0;

  const report = (
    e: Entry,
    instant: number,
    result: { ok: boolean; late?: number; error?: { code: string; message: string } },
  ) =>
    host.emit({
      type: 'schedule-ran',
      scheduleId: e.schedule.id,
      occurrence: occurrenceId(e.schedule.id, instant),
      ok: result.ok,
      ...(result.late !== undefined ? { late: Math.max(0, Math.round(result.late)) } : {}),
      ...(result.error ? { error: result.error as never } : {}),
    });

  const perform = (e: Entry, instant: number, late: number) => {
    const { command, catchUp } = e.schedule;
    host
      .run({
        scheduleId: e.schedule.id,
        occurrence: occurrenceId(e.schedule.id, instant),
        capability: command.capability,
        ...(command.value !== undefined ? { value: command.value } : {}),
        ...(command.params !== undefined ? { params: command.params } : {}),
        expiresAt: instant + windowMs(catchUp, graceMs),
      })
      .then(
        (ack) => report(e, instant, ack.ok ? { ok: true, late } : { ok: false, late, error: ack.error }),
        (err: unknown) => host.log.error({ err, scheduleId: e.schedule.id }, 'scheduled command failed'),
      );
  };

  const tick = () => {
    timer = undefined;
    if (stopped) return;
    if (!host.clock.synced) return arm(1000);
    const now = host.clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const e of entries.values()) {
      if (e.since === undefined) e.since = e.fromBoot ? now - windowMs(e.schedule.catchUp, graceMs) : now;
      const plan = planDue(e.source, e.schedule.catchUp, e.since, now, { graceMs });
      if (!e.fromBoot)
        for (const m of plan.missed)
          report(e, m.instant, { ok: false, error: { code: 'expired', message: `missed: ${m.reason}` } });
      if (plan.run) perform(e, plan.run.instant, plan.run.late);
      e.since = now;
      e.fromBoot = false;
      next = Math.min(next, e.source.nextAfter(now) ?? Number.POSITIVE_INFINITY);
    }
    if (Number.isFinite(next)) arm(next - now);
  };

  function arm(ms: number) {
    if (timer) clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(tick, Math.min(Math.max(ms, 0), maxSleepMs));
    timer.unref?.();
  }

  return {
    load(list: DeviceSchedules | null) {
      const fromBoot = loads === 0;
      loads += 1;
      const fresh = new Map<string, Entry>();
      for (const schedule of list?.schedules ?? []) {
        if (!schedule.enabled) continue;
        const key = JSON.stringify(schedule);
        const previous = entries.get(schedule.id);
        if (previous?.key === key) {
          fresh.set(schedule.id, previous);
          continue;
        }
        try {
          const source = compileTiming({ cron: schedule.cron, at: schedule.at, tz: schedule.tz });
          // A new or changed schedule starts from now; at boot, from its catch-up window.
          fresh.set(schedule.id, { schedule, key, source, since: undefined, fromBoot });
        } catch (err) {
          host.log.warn({ err, scheduleId: schedule.id }, 'schedule refused by the engine; not running it');
        }
      }
      entries = fresh;
      arm(0);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
