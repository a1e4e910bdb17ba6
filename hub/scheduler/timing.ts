// Turns a stored schedule's timing (cron, one-off or sun event) into an occurrence source, and
// decides where it runs.
import { HearthError } from '../../shared/errors.js';
import { assertTimeZone, compileTiming, type OccurrenceSource } from '../../shared/schedule-engine.js';
import type { DeviceView } from '../../shared/views.js';
import type { ScheduleRow } from './schedule-store.js';
import { type Location, sunSource } from './sun-trigger.js';

type Timing = Pick<ScheduleRow, 'cron' | 'at' | 'sunEvent' | 'sunOffsetMinutes' | 'tz'>;

/** Throws HearthError (invalid_cron, unknown_time_zone, invalid_payload, unsupported). */
export function sourceFor(row: Timing, location: Location | undefined): OccurrenceSource {
  const given = [row.cron !== null, row.at !== null, row.sunEvent !== null].filter(Boolean).length;
  if (given !== 1)
    throw new HearthError('invalid_payload', 'a schedule needs exactly one of cron, at or sun');
  if (row.sunEvent === null)
    return compileTiming({ cron: row.cron ?? undefined, at: row.at ?? undefined, tz: row.tz });
  assertTimeZone(row.tz);
  if (!location)
    throw new HearthError(
      'unsupported',
      'sunrise/sunset schedules need the hub location (config location.latitude/longitude)',
    );
  return sunSource({ event: row.sunEvent, offsetMinutes: row.sunOffsetMinutes ?? 0 }, row.tz, location);
}

/** Devices that keep schedules run them themselves, except sun events (they know no location). */
export function runsOnDevice(device: DeviceView | undefined, row: Pick<ScheduleRow, 'sunEvent'>): boolean {
  return (
    device !== undefined && row.sunEvent === null && device.capabilities.some((c) => c.name === 'schedules')
  );
}
