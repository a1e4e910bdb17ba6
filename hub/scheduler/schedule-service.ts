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
import type { ScheduleRow, ScheduleStore } from './schedule-store.js';
import type { CreateScheduleBody, PatchScheduleBody, ScheduleCommand, ScheduleView } from './schemas.js';
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

function commandOf(c: ScheduleCommand): ScheduleRow['command'] {
  return {
    capability: c.capability,
    ...(c.value !== undefined ? { value: c.value } : {}),
    ...(c.params !== undefined ? { params: c.params } : {}),
  };
}

export function createScheduleService(
  ctx: CoreContext,
  deps: { store: ScheduleStore; runner: HubRunner; push: DevicePush },
): ScheduleService {
  const { store, runner, push } = deps;
  const log = ctx.log.child({ module: 'scheduler' });
  const location = ctx.config.location;

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

  const safeSource = (r: ScheduleRow) => {
    try {
      return sourceFor(r, location);
    } catch {
      return undefined;
    }
  };

  /** Validates a complete row against its device (throws HearthError) and returns its source. */
  const validate = (r: ScheduleRow, d: DeviceView) => {
    const source = sourceFor(r, location);
    const normalized = validateRequest(d.capabilities, r.command);
    r.command = {
      capability: normalized.capability,
      ...(normalized.value !== undefined ? { value: normalized.value } : {}),
      ...(normalized.params !== undefined ? { params: normalized.params } : {}),
    };
    if (runsOnDevice(d, r)) {
      const others = store.byDevice(d.id).filter((o) => o.id !== r.id && runsOnDevice(d, o));
      if (others.length >= MAX_DEVICE_SCHEDULES)
        throw new HearthError('out_of_range', `a device keeps at most ${MAX_DEVICE_SCHEDULES} schedules`);
    }
    return source;
  };

  /** Hands a saved schedule to its runner: the hub's queue, or the device (push). */
  const apply = async (r: ScheduleRow) => {
    const d = ctx.registry.get(r.deviceId);
    if (runsOnDevice(d, r)) runner.untrack(r.id);
    else {
      const source = safeSource(r);
      if (source) runner.track(r, source);
      else log.warn({ scheduleId: r.id }, 'schedule no longer valid; not running it');
    }
    await push.push(r.deviceId);
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
      const now = ctx.clock.now();
      const r: ScheduleRow = {
        id,
        deviceId: d.id,
        name: body.name ?? null,
        command: commandOf(body.command),
        cron: body.cron ?? null,
        at: body.at ?? null,
        sunEvent: body.sun?.event ?? null,
        sunOffsetMinutes: body.sun ? body.sun.offsetMinutes : null,
        tz: body.tz ?? ctx.config.timeZone,
        enabled: body.enabled ?? true,
        catchUp: body.catchUp ?? { policy: 'skip' },
        lastEvaluatedAt: now,
        createdAt: now,
        updatedAt: now,
      };
      validate(r, d);
      store.insert(r);
      await apply(r);
      return view(r);
    },
    async update(id, patch) {
      const current = row(id);
      const d = device(current.deviceId);
      const now = ctx.clock.now();
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
      validate(r, d);
      // A changed timing, or a schedule switched back on, starts from now: no catch-up for time
      // it did not exist or was off.
      if (timing || patch.tz !== undefined || (patch.enabled === true && !current.enabled))
        r.lastEvaluatedAt = now;
      store.replace(r);
      await apply(r);
      return view(r);
    },
    async remove(id) {
      const r = row(id);
      store.delete(id);
      runner.untrack(id);
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
