// The scheduler unit: schedules stored in the hub, run in the hub or pushed to devices that keep
// their own, one run log for both, and the hub's clock published for devices without NTP.

import type { ApiUnit } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import { createDevicePush } from './device-push.js';
import { recordDeviceRun } from './device-runs.js';
import { createHubRunner, type FiredRun } from './hub-runner.js';
import { createSchedulesModules } from './routes.js';
import { createRunLog } from './run-log.js';
import { createScheduleService, type ScheduleService } from './schedule-service.js';
import { createScheduleStore } from './schedule-store.js';
import { createTimePublisher } from './time-publisher.js';

export interface SchedulerUnit extends ApiUnit {
  readonly service: ScheduleService;
}

export interface SchedulerOptions {
  onFired?: (run: FiredRun) => void;
}

const OWNER = 'scheduler';

export function createScheduler(ctx: CoreContext, options: SchedulerOptions = {}): SchedulerUnit {
  const log = ctx.log.child({ module: OWNER });
  const store = createScheduleStore(ctx);
  const runLog = createRunLog(ctx);
  const push = createDevicePush(ctx, store);
  const runner = createHubRunner({
    ctx,
    store,
    runLog,
    onSettled: (run) => ctx.bus.emit('schedule.ran', { ...run, by: 'hub' }),
    ...(options.onFired ? { onFired: options.onFired } : {}),
  });
  const service = createScheduleService(ctx, { store, runner, push });
  const time = createTimePublisher(ctx);
  const failed = (what: string) => (err: unknown) => log.error({ err }, `${what} failed`);

  return {
    name: OWNER,
    service,
    apiModules: createSchedulesModules(service, runLog),
    async start() {
      ctx.bus.on('device.event', OWNER, ({ deviceId, event }) => {
        if (event.type !== 'schedule-ran') return;
        if (recordDeviceRun(ctx, store, runLog, deviceId, event))
          ctx.bus.emit('schedule.ran', {
            scheduleId: event.scheduleId,
            deviceId,
            occurrence: event.occurrence,
            ok: event.ok,
            by: 'device',
          });
      });
      ctx.bus.on('device.info', OWNER, ({ deviceId }) =>
        service.deviceChanged(deviceId).catch(failed('re-homing schedules')),
      );
      ctx.bus.on('device.added', OWNER, ({ deviceId }) =>
        service.deviceChanged(deviceId).catch(failed('pushing schedules')),
      );
      ctx.bus.on('device.removed', OWNER, ({ deviceId }) =>
        service.deviceChanged(deviceId).catch(failed('dropping schedules')),
      );
      runner.start();
      await service.load();
      await time.start();
    },
    stop() {
      time.stop();
      runner.stop();
      ctx.bus.removeOwner(OWNER);
    },
    health: () => ({ ok: true, detail: { schedules: service.list().length } }),
  };
}
