// Request bodies turned into stored schedule rows: a new row from a create, and the row a patch
// leaves behind. Pure, so the service reads as validation and storage only.
import type { ScheduleRow } from './schedule-store.js';
import type { CreateScheduleBody, PatchScheduleBody, ScheduleCommand } from './schemas.js';

export function commandOf(c: ScheduleCommand): ScheduleRow['command'] {
  return {
    capability: c.capability,
    ...(c.value !== undefined ? { value: c.value } : {}),
    ...(c.params !== undefined ? { params: c.params } : {}),
  };
}

export function rowFromCreate(
  body: CreateScheduleBody,
  at: { id: string; deviceId: string; now: number; timeZone: string },
): ScheduleRow {
  const { id, deviceId, now, timeZone } = at;
  return {
    id,
    deviceId,
    name: body.name ?? null,
    command: commandOf(body.command),
    cron: body.cron ?? null,
    at: body.at ?? null,
    sunEvent: body.sun?.event ?? null,
    sunOffsetMinutes: body.sun ? body.sun.offsetMinutes : null,
    tz: body.tz ?? timeZone,
    enabled: body.enabled ?? true,
    catchUp: body.catchUp ?? { policy: 'skip' },
    lastEvaluatedAt: now,
    createdAt: now,
    updatedAt: now,
  };
}

/** The patched row; cron, at or sun replace the whole timing. */
export function rowWithPatch(current: ScheduleRow, patch: PatchScheduleBody, now: number): ScheduleRow {
  const timing = patch.cron !== undefined || patch.at !== undefined || patch.sun !== undefined;
  const r: ScheduleRow = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.command !== undefined ? { command: commandOf(patch.command) } : {}),
    ...(timing
      ? {
          cron: patch.cron ?? null,
          at: patch.at ?? null,
          sunEvent: patch.sun?.event ?? null,
          sunOffsetMinutes: patch.sun ? patch.sun.offsetMinutes : null,
        }
      : {}),
    ...(patch.tz !== undefined ? { tz: patch.tz } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    ...(patch.catchUp !== undefined ? { catchUp: patch.catchUp } : {}),
    updatedAt: now,
  };
  // A changed timing, or a schedule switched back on, starts from now: no catch-up for time
  // it did not exist or was off.
  if (timing || patch.tz !== undefined || (patch.enabled === true && !current.enabled))
    r.lastEvaluatedAt = now;
  return r;
}
