// Desired state a drill sets before its fault and checks afterwards: a brightness on up to 20
// lights, each a different value, so "no desired state lost" names exactly what went missing.
import type { Lab } from './lab.js';
import { waitUntil } from './lab.js';
import type { DrillChecks } from './report.js';

export interface DesiredMarks {
  ids: string[];
  /** Waits up to 10 s for every mark to be desired and reported again; records the check. */
  verify(checks: DrillChecks, after: string): Promise<void>;
}

export async function markDesired(lab: Lab, deviceIds: string[], base: number): Promise<DesiredMarks> {
  const ids = deviceIds.slice(0, Math.min(20, deviceIds.length));
  for (const [i, id] of ids.entries()) {
    const { status } = await lab.api('POST', `/api/v1/devices/${id}/commands`, {
      capability: 'brightness',
      value: base + i,
    });
    if (status !== 200) throw new Error(`setting up: a command answered ${status}`);
  }
  return {
    ids,
    async verify(checks, after) {
      const lost: string[] = [];
      await waitUntil(
        async () => {
          lost.length = 0;
          for (const [i, id] of ids.entries()) {
            const { body } = await lab.api('GET', `/api/v1/devices/${id}`);
            const want = base + i;
            const desired = (body.desired as Record<string, unknown>)?.brightness;
            const reported = (body.reported as Record<string, unknown>)?.brightness;
            if (desired !== want || reported !== want)
              lost.push(`${id}: desired ${String(desired)}, reported ${String(reported)}, want ${want}`);
          }
          return lost.length === 0;
        },
        10_000,
        `desired state after the ${after}`,
      ).catch(() => undefined);
      checks.check(
        'no desired state lost',
        lost.length === 0,
        lost.length === 0
          ? `${ids.length} devices kept the brightness set before the ${after}`
          : lost.join('; '),
      );
    },
  };
}
