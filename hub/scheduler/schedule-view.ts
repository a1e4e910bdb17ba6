// How a stored schedule is shown: where it runs, its next run, and whether the device holds the
// version the hub pushed. Shared by the service and the placement, which both need a safe source.
import type { CoreContext } from '../core/context.js';
import type { DevicePush } from './device-push.js';
import type { HubRunner } from './hub-runner.js';
import type { ScheduleRow } from './schedule-store.js';
import type { ScheduleView } from './schemas.js';
import { runsOnDevice, sourceFor } from './timing.js';

export interface ScheduleViews {
  view(r: ScheduleRow): ScheduleView;
  /** The row's occurrence source, or undefined when it no longer parses (a zone or cron gone bad). */
  safeSource(r: ScheduleRow): ReturnType<typeof sourceFor> | undefined;
}

export function createScheduleViews(
  ctx: CoreContext,
  deps: { runner: HubRunner; push: DevicePush },
): ScheduleViews {
  const { runner, push } = deps;
  const location = ctx.config.location;

  const safeSource = (r: ScheduleRow) => {
    try {
      return sourceFor(r, location);
    } catch {
      return undefined;
    }
  };

  const view = (r: ScheduleRow): ScheduleView => {
    const d = ctx.registry.get(r.deviceId);
    const onDevice = runsOnDevice(d, r);
    const version = onDevice ? push.version(r.deviceId) : null;
    const deviceVersion = d?.schedulesVersion ?? null;
    return {
      id: r.id,
      deviceId: r.deviceId,
      name: r.name,
      command: r.command,
      cron: r.cron,
      at: r.at,
      sun: r.sunEvent ? { event: r.sunEvent, offsetMinutes: r.sunOffsetMinutes ?? 0 } : null,
      tz: r.tz,
      enabled: r.enabled,
      catchUp: r.catchUp,
      runsOn: onDevice ? 'device' : 'hub',
      nextRunAt: onDevice
        ? r.enabled
          ? (safeSource(r)?.nextAfter(ctx.clock.now()) ?? null)
          : null
        : runner.nextRunAt(r.id),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      sync: onDevice
        ? { version, deviceVersion, inSync: version !== null && version === deviceVersion }
        : null,
    };
  };

  return { view, safeSource };
}
