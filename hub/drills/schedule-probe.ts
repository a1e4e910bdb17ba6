// Schedules in drills: create one that fires a few seconds from now, then wait for its run in the
// hub's run log.
import { type Lab, waitUntil } from './lab.js';

export interface ScheduleRun {
  status: string;
  by: string;
  scheduledAt: number;
  ranAt: number;
}

/** Creates daily schedule `id` due at the next whole second ≥ `inMs` from now (UTC); returns when. */
export async function scheduleSoon(
  lab: Lab,
  id: string,
  deviceId: string,
  command: Record<string, unknown>,
  inMs: number,
): Promise<{ due: number; runsOn: string }> {
  const due = Math.ceil((Date.now() + inMs) / 1000) * 1000;
  const d = new Date(due);
  const { status, body } = await lab.api('POST', '/api/v1/schedules', {
    id,
    deviceId,
    command,
    cron: `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} * * *`,
    tz: 'UTC',
  });
  if (status !== 201) throw new Error(`creating schedule ${id} answered ${status}: ${JSON.stringify(body)}`);
  return { due, runsOn: String(body.runsOn) };
}

/** The schedule's pushed version is what the device runs (device-run schedules only). */
export function waitInSync(lab: Lab, id: string, timeoutMs = 15_000): Promise<true> {
  return waitUntil(
    async () =>
      ((await lab.api('GET', `/api/v1/schedules/${id}`)).body.sync as { inSync?: boolean } | undefined)
        ?.inSync === true,
    timeoutMs,
    `schedule ${id} in sync on its device`,
  );
}

/** The schedule's first run once it has an outcome (a hub-run one is `issued` until the device acks). */
export function waitForRun(lab: Lab, id: string, timeoutMs: number): Promise<ScheduleRun | null> {
  return waitUntil(
    async () => {
      const { body } = await lab.api('GET', `/api/v1/schedules/${id}/runs`);
      const run = ((body.runs ?? []) as ScheduleRun[])[0];
      return run && run.status !== 'issued' ? run : null;
    },
    timeoutMs,
    `a run of schedule ${id}`,
  ).catch(() => null);
}
