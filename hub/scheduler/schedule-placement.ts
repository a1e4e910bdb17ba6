// Hands each saved schedule to whoever runs it: the hub's runner, or the device through a push.
// Kept apart from the CRUD service because loading at start and re-homing after a device changes
// are about where schedules run, not about what they are.
import type { CoreContext } from '../core/context.js';
import type { DevicePush } from './device-push.js';
import type { HubRunner } from './hub-runner.js';
import type { ScheduleRow, ScheduleStore } from './schedule-store.js';
import type { ScheduleViews } from './schedule-view.js';
import { runsOnDevice } from './timing.js';

export interface SchedulePlacement {
  /** Hands a saved schedule to its runner: the hub's queue, or the device (push). */
  apply(r: ScheduleRow): Promise<void>;
  /** Loads every schedule and starts running or pushing it. */
  load(): Promise<void>;
  /** The device's capabilities changed or it was removed: re-home its schedules. */
  deviceChanged(deviceId: string): Promise<void>;
}

export function createSchedulePlacement(
  ctx: CoreContext,
  deps: {
    store: ScheduleStore;
    runner: HubRunner;
    push: DevicePush;
    safeSource: ScheduleViews['safeSource'];
  },
): SchedulePlacement {
  const { store, runner, push, safeSource } = deps;
  const log = ctx.log.child({ module: 'scheduler' });

  return {
    async apply(r) {
      const d = ctx.registry.get(r.deviceId);
      if (runsOnDevice(d, r)) runner.untrack(r.id);
      else {
        const source = safeSource(r);
        if (source) runner.track(r, source);
        else log.warn({ scheduleId: r.id }, 'schedule no longer valid; not running it');
      }
      await push.push(r.deviceId);
    },
    async load() {
      const byDevice = new Set<string>();
      for (const r of store.all()) {
        byDevice.add(r.deviceId);
        const d = ctx.registry.get(r.deviceId);
        if (!runsOnDevice(d, r)) {
          const source = safeSource(r);
          if (source) runner.track(r, source);
        }
      }
      for (const d of ctx.registry.list())
        if (d.capabilities.some((c) => c.name === 'schedules')) byDevice.add(d.id);
      for (const deviceId of byDevice) await push.push(deviceId, { force: true });
    },
    async deviceChanged(deviceId) {
      const d = ctx.registry.get(deviceId);
      if (!d) {
        const removed = store.byDevice(deviceId);
        for (const r of removed) runner.untrack(r.id);
        const n = store.deleteByDevice(deviceId);
        if (n > 0 || removed.length > 0)
          log.info({ deviceId, schedules: removed.length }, 'device removed; its schedules deleted');
        return;
      }
      for (const r of store.byDevice(deviceId)) {
        const fresh = store.get(r.id);
        if (!fresh) continue;
        if (runsOnDevice(d, fresh)) runner.untrack(fresh.id);
        else if (!runner.tracks(fresh.id)) {
          // Moving from the device to the hub: start from now, the device ran what came before.
          fresh.lastEvaluatedAt = ctx.clock.now();
          store.markEvaluated(fresh.id, fresh.lastEvaluatedAt);
          const source = safeSource(fresh);
          if (source) runner.track(fresh, source);
        }
      }
      await push.push(deviceId);
    },
  };
}
