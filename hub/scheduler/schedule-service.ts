// Schedules as the API and CLI see them: validation against the target device, storage, and
// handing each schedule to whoever runs it (the hub runner, or the device through a push).
// A removed device's schedules are deleted with it (the run log keeps their history): a schedule
// for a device that no longer exists can never run, and a new device that reuses the id must not
// inherit someone else's feeding times.
import { randomBytes } from 'node:crypto';
import { validateRequest } from '../../shared/capabilities.js';
import { HearthError } from '../../shared/errors.js';
import { isDeviceId } from '../../shared/topics.js';
import type { DeviceView } from '../../shared/views.js';
import type { CoreContext } from '../core/context.js';
import type { DevicePush } from './device-push.js';
import type { HubRunner } from './hub-runner.js';
import { createSchedulePlacement } from './schedule-placement.js';
import { commandOf, rowFromCreate, rowWithPatch } from './schedule-rows.js';
import type { ScheduleRow, ScheduleStore } from './schedule-store.js';
import { createScheduleViews } from './schedule-view.js';
import type { CreateScheduleBody, PatchScheduleBody, ScheduleView } from './schemas.js';
import { runsOnDevice, sourceFor } from './timing.js';

/** What one `hearth/dev/<id>/schedules` message may hold (DeviceSchedulesSchema). */
const MAX_DEVICE_SCHEDULES = 100;

export interface ScheduleService {
  list(filter?: { deviceId?: string }): ScheduleView[];
  get(id: string): ScheduleView;
  create(body: CreateScheduleBody): Promise<ScheduleView>;
  update(id: string, patch: PatchScheduleBody): Promise<ScheduleView>;
  remove(id: string): Promise<void>;
  /** Loads every schedule and starts running or pushing it. */
  load(): Promise<void>;
  /** The device's capabilities changed or it was removed: re-home its schedules. */
  deviceChanged(deviceId: string): Promise<void>;
}

export function createScheduleService(
  ctx: CoreContext,
  deps: { store: ScheduleStore; runner: HubRunner; push: DevicePush },
): ScheduleService {
  const { store, runner, push } = deps;
  const location = ctx.config.location;
  const { view, safeSource } = createScheduleViews(ctx, { runner, push });
  const placement = createSchedulePlacement(ctx, { store, runner, push, safeSource });

  const device = (id: string): DeviceView => {
    const d = isDeviceId(id) ? ctx.registry.get(id) : undefined;
    if (!d) throw new HearthError('unknown_device', `no device with id ${id}`);
    return d;
  };

  const row = (id: string): ScheduleRow => {
    const r = store.get(id);
    if (!r) throw new HearthError('not_found', `no schedule with id ${id}`);
    return r;
  };

  /** Validates a complete row against its device (throws HearthError) and returns its source. */
  const validate = (r: ScheduleRow, d: DeviceView) => {
    const source = sourceFor(r, location);
    r.command = commandOf(validateRequest(d.capabilities, r.command));
    if (runsOnDevice(d, r)) {
      const others = store.byDevice(d.id).filter((o) => o.id !== r.id && runsOnDevice(d, o));
      if (others.length >= MAX_DEVICE_SCHEDULES)
        throw new HearthError('out_of_range', `a device keeps at most ${MAX_DEVICE_SCHEDULES} schedules`);
    }
    return source;
  };

  return {
    list(filter = {}) {
      return store
        .all()
        .filter((r) => filter.deviceId === undefined || r.deviceId === filter.deviceId)
        .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
        .map(view);
    },
    get: (id) => view(row(id)),
    async create(body) {
      const d = device(body.deviceId);
      const id = body.id ?? `s-${randomBytes(4).toString('hex')}`;
      if (store.get(id)) throw new HearthError('conflict', `a schedule with id ${id} already exists`);
      const r = rowFromCreate(body, {
        id,
        deviceId: d.id,
        now: ctx.clock.now(),
        timeZone: ctx.config.timeZone,
      });
      validate(r, d);
      store.insert(r);
      await placement.apply(r);
      return view(r);
    },
    async update(id, patch) {
      const current = row(id);
      const d = device(current.deviceId);
      const r = rowWithPatch(current, patch, ctx.clock.now());
      validate(r, d);
      store.replace(r);
      await placement.apply(r);
      return view(r);
    },
    async remove(id) {
      const r = row(id);
      store.delete(id);
      runner.untrack(id);
      await push.push(r.deviceId);
    },
    load: placement.load,
    deviceChanged: placement.deviceChanged,
  };
}
