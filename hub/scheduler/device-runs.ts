// Runs reported by devices (`schedule-ran` events) go into the same run log, de-duplicated by
// occurrence id: a device re-sends its recent reports on every reconnect, and each lands once.

import type { DeviceEvent } from '../../shared/payloads.js';
import { parseOccurrenceId } from '../../shared/schedule-engine.js';
import type { CoreContext } from '../core/context.js';
import type { RunLog } from './run-log.js';
import type { ScheduleStore } from './schedule-store.js';

type ScheduleRan = Extract<DeviceEvent, { type: 'schedule-ran' }>;

/** Records one report; returns whether it was new. Reports that do not add up are logged and dropped. */
export function recordDeviceRun(
  ctx: CoreContext,
  store: ScheduleStore,
  runLog: RunLog,
  deviceId: string,
  e: ScheduleRan,
): boolean {
  const log = ctx.log.child({ module: 'scheduler' });
  const parsed = parseOccurrenceId(e.occurrence);
  if (!parsed || parsed.scheduleId !== e.scheduleId) {
    log.warn({ deviceId, occurrence: e.occurrence }, 'schedule-ran with a malformed occurrence id; ignored');
    return false;
  }
  const schedule = store.get(e.scheduleId);
  if (schedule && schedule.deviceId !== deviceId) {
    log.warn({ deviceId, scheduleId: e.scheduleId }, "schedule-ran for another device's schedule; ignored");
    return false;
  }
  // A device reports a missed occurrence as not ok with code `expired`.
  const missed = !e.ok && e.error?.code === 'expired';
  return runLog.insert({
    occurrence: e.occurrence,
    scheduleId: e.scheduleId,
    deviceId,
    scheduledAt: parsed.instant,
    ranAt: missed ? null : e.ts,
    by: 'device',
    status: e.ok ? 'ok' : missed ? 'missed' : 'failed',
    late: e.late ?? null,
    catchUp: e.late !== undefined && e.late > 60_000 && !missed,
    reason: missed ? (e.error?.message ?? 'missed') : null,
    error: !e.ok && !missed && e.error ? { code: e.error.code, message: e.error.message } : null,
  });
}
