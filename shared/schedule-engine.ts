// Occurrence logic shared by the hub and device firmware: when a schedule is due, what its
// occurrence is called, and what to do about occurrences that passed while nobody was running.
// Pure: no timers, no I/O; callers pass the time in.
//
// Time zones and daylight saving. croner (9.1) parses and matches the cron expression, but on
// *local wall-clock time* (croner runs at utcOffset 0 on "wall time as if it were UTC"); this module
// turns each matching wall time into one instant. We do not use croner's own `timezone` option
// because in the repeated hour its `nextRun` is not monotone (from some start points it returns an
// instant before the start, from others it skips the day's run: see the engine tests, which assert
// that quirk so an upgrade that fixes it is noticed) and it costs ~350 µs per call. The rules:
// - Skipped hour (spring forward: 01:00–02:00 Europe/London, 02:00–03:00 America/New_York):
//   every wall time inside the gap resolves to the instant the clocks jump (02:00 BST, 03:00 EDT),
//   so a daily 01:30 London schedule runs once at 02:00 BST, and a every-30-minutes schedule runs
//   once at the jump for all the times it lost (what cronie does).
// - Repeated hour (fall back: 01:00–02:00 happens twice): a wall time that happens twice resolves
//   to its first pass (summer time), so every wall time runs once, never twice; an
//   every-30-minutes schedule has no runs in the second pass.
// Because each wall time maps to one instant and the mapping never goes backwards, `nextAfter` is
// monotone, occurrence ids are stable whoever computes them, and no occurrence can run twice.
import { Cron } from 'croner';
import { HearthError } from './errors.js';
import type { CatchUp } from './payloads.js';

/** Anything that can say when a schedule is next due strictly after an instant (epoch ms). */
export interface OccurrenceSource {
  nextAfter(instant: number): number | null;
}

export interface TimingSpec {
  cron?: string | undefined;
  at?: number | undefined;
  tz: string;
}

const DAY_MS = 86_400_000;
/** How late a run may be and still count as on time rather than a catch-up. */
export const DEFAULT_GRACE_MS = 60_000;
/** Missed occurrences recorded per evaluation at most; the rest are only counted. */
export const DEFAULT_MAX_MISSED = 50;
const MAX_STEPS = 100_000;

/** `<scheduleId>@<ISO instant>`: the same for the hub and the device, so a run is logged once. */
export function occurrenceId(scheduleId: string, instant: number): string {
  return `${scheduleId}@${new Date(instant).toISOString()}`;
}

/** The instant an occurrence id names, or null when it is not one. */
export function parseOccurrenceId(id: string): { scheduleId: string; instant: number } | null {
  const at = id.lastIndexOf('@');
  if (at <= 0) return null;
  const instant = Date.parse(id.slice(at + 1));
  if (!Number.isFinite(instant) || new Date(instant).toISOString() !== id.slice(at + 1)) return null;
  return { scheduleId: id.slice(0, at), instant };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Throws unknown_time_zone unless `tz` is an IANA zone this runtime knows. */
export function assertTimeZone(tz: string): void {
  try {
    formatter(tz);
  } catch {
    throw new HearthError(
      'unknown_time_zone',
      `unknown time zone "${tz}" (use an IANA name such as Europe/London)`,
    );
  }
}

/** Local time minus UTC at `instant`, in ms (whole seconds). */
export function zoneOffset(tz: string, instant: number): number {
  const second = Math.floor(instant / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(second))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return wall - second;
}

/** Wall-clock time in `tz` (as ms "as if UTC") to the instant it names, by the rules above. */
export function wallToInstant(tz: string, wall: number): number {
  const before = zoneOffset(tz, wall - DAY_MS);
  const after = zoneOffset(tz, wall + DAY_MS);
  const valid = [...new Set([before, after])]
    .map((o) => wall - o)
    .filter((c) => zoneOffset(tz, c) === wall - c)
    .sort((a, b) => a - b);
  if (valid.length > 0) return valid[0] as number;
  // In the gap: the first instant on the new offset, found by bisection between the two readings.
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (zoneOffset(tz, mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Parses a cron expression (5 fields, or 6 with seconds first); throws invalid_cron. */
export function parseCron(expression: string): Cron {
  try {
    return new Cron(expression, { paused: true, utcOffset: 0 });
  } catch (err) {
    throw new HearthError(
      'invalid_cron',
      `invalid cron expression "${expression}": ${(err as Error).message}`,
    );
  }
}

/** An occurrence source for a cron expression or a one-off time, validated (throws HearthError). */
export function compileTiming(spec: TimingSpec): OccurrenceSource {
  assertTimeZone(spec.tz);
  if ((spec.cron === undefined) === (spec.at === undefined))
    throw new HearthError('invalid_payload', 'a schedule needs exactly one of cron or at');
  if (spec.at !== undefined) {
    const at = spec.at;
    return { nextAfter: (t) => (at > t ? at : null) };
  }
  const cron = parseCron(spec.cron as string);
  const tz = spec.tz;
  return {
    nextAfter(t) {
      // No wall time at or before t's own wall time resolves after t, so start just past it.
      let wall = cron.nextRun(new Date(t + zoneOffset(tz, t)));
      for (let i = 0; wall && i < MAX_STEPS; i++) {
        const instant = wallToInstant(tz, wall.getTime());
        if (instant > t) return instant;
        wall = cron.nextRun(wall);
      }
      return null;
    },
  };
}

export type MissReason = 'skip-policy' | 'beyond-catch-up' | 'superseded';

export interface DuePlan {
  /** The occurrence to perform now, if any. */
  run: { instant: number; late: number; catchUp: boolean } | null;
  /** Occurrences that will not run, oldest first, with why. */
  missed: Array<{ instant: number; reason: MissReason }>;
  /** More were missed than `missed` lists. */
  truncated: boolean;
}

export interface PlanOptions {
  graceMs?: number;
  maxMissed?: number;
}

/**
 * Decides what to do about every occurrence in (since, now]: at most one runs — the latest, when
 * it is within the grace period or the catch-up window — and the others are missed with a reason.
 * Callers persist `now` as the new `since`, so an occurrence is never planned twice.
 */
export function planDue(
  source: OccurrenceSource,
  catchUp: CatchUp,
  since: number,
  now: number,
  options: PlanOptions = {},
): DuePlan {
  const grace = options.graceMs ?? DEFAULT_GRACE_MS;
  const maxMissed = options.maxMissed ?? DEFAULT_MAX_MISSED;
  const plan: DuePlan = { run: null, missed: [], truncated: false };
  if (now <= since) return plan;
  const latest = latestDue(source, since, now);
  if (latest === null) return plan;
  const window = catchUp.policy === 'skip' ? grace : Math.max(grace, catchUp.withinMinutes * 60_000);
  const lateReason: MissReason = catchUp.policy === 'skip' ? 'skip-policy' : 'beyond-catch-up';
  const late = now - latest;
  if (late <= window) plan.run = { instant: latest, late, catchUp: late > grace };
  let cursor = source.nextAfter(since);
  for (let i = 0; cursor !== null && cursor < latest && i < MAX_STEPS; i++) {
    if (plan.missed.length >= maxMissed) {
      plan.truncated = true;
      break;
    }
    plan.missed.push({ instant: cursor, reason: now - cursor <= window ? 'superseded' : lateReason });
    cursor = source.nextAfter(cursor);
  }
  if (!plan.run) {
    if (plan.missed.length >= maxMissed) plan.truncated = true;
    else plan.missed.push({ instant: latest, reason: lateReason });
  }
  return plan;
}

/** The last occurrence in (since, now], searching backwards in growing steps (croner only goes forwards). */
export function latestDue(source: OccurrenceSource, since: number, now: number): number | null {
  for (let step = 1000; ; step *= 4) {
    const start = Math.max(since, now - step);
    let cursor = source.nextAfter(start);
    if (cursor !== null && cursor <= now) {
      for (let i = 0; i < MAX_STEPS; i++) {
        const next = source.nextAfter(cursor);
        if (next === null || next > now) break;
        cursor = next;
      }
      return cursor;
    }
    if (start === since) return null;
  }
}
