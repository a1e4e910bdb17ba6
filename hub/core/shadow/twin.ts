// The device twin: the one owner of each device's desired state. Per setting it keeps desired
// (what the hub wants), reported (what the device says, written by shadow-ingest) and their
// delta, and converges them by the capability's policy (shared/capabilities.ts, TwinPolicy):
// - a command records a new desired value (want(), inside the command's own transaction);
// - a setting command that expires or is refused returns desired to the reported value;
// - a drift with no command in flight (the device changed on its own, or came back with an old
//   value) is corrected (`hub` wins: the desired value is sent again) or adopted (`device` wins:
//   desired follows the device, and the view says `changedOnDevice`).
// The view (DeviceView.twin) shows what has not converged: `pending` commands and the `delta`.
import type { SettingValue } from '../../../shared/capabilities.js';
import type { CommandRecord } from '../../../shared/views.js';
import type { CommandRequest, HubContext } from '../context.js';
import type { InternalRegistry } from '../registry/device-registry.js';
import type { DeviceEntry } from '../registry/entry-writer.js';

/** A hub-wins setting is sent again at most this often while it keeps drifting. */
const RESEND_EVERY_MS = 2000;

export interface TwinDeps {
  ctx: HubContext;
  registry: InternalRegistry;
  /** Late-bound to the command service (which calls want()). */
  commands: () => {
    issue(request: CommandRequest, options: { waitMs: number }): Promise<CommandRecord>;
    activeRecords(): CommandRecord[];
  };
}

export interface Twin {
  /** A command asks for `value`: desired now, written at once (call inside its transaction). */
  want(entry: DeviceEntry, capability: string, value: SettingValue): void;
  start(): void;
  stop(): void;
}

export function createTwin({ ctx, registry, commands }: TwinDeps): Twin {
  const log = ctx.log.child({ module: 'twin' });
  const corrected = ctx.metrics.counter(
    'hearth_twin_corrections_total',
    'Drifted settings sent again (hub wins)',
  );
  const adopted = ctx.metrics.counter(
    'hearth_twin_adoptions_total',
    'Device changes adopted as desired (device wins)',
  );
  /** deviceId → capability → ids of setting commands in flight. */
  const inFlight = new Map<string, Map<string, Set<string>>>();
  const changedOnDevice = new Map<string, Set<string>>();
  const lastResend = new Map<string, number>();
  const retries = new Map<string, NodeJS.Timeout>();
  const unsubscribe: Array<() => void> = [];

  const flying = (deviceId: string, capability: string) =>
    (inFlight.get(deviceId)?.get(capability)?.size ?? 0) > 0;

  const track = (deviceId: string, capability: string, commandId: string, active: boolean) => {
    const byCap = inFlight.get(deviceId) ?? new Map<string, Set<string>>();
    inFlight.set(deviceId, byCap);
    const ids = byCap.get(capability) ?? new Set<string>();
    byCap.set(capability, ids);
    if (active) ids.add(commandId);
    else ids.delete(commandId);
  };

  const persistDesired = (entry: DeviceEntry) => {
    const id = entry.view.id;
    ctx.writes.enqueue(() => {
      const current = registry.entry(id);
      if (current) ctx.repos.devices.saveDesired(id, current.view.desired);
    });
  };

  const setDesired = (entry: DeviceEntry, capability: string, value: unknown) => {
    const desired = { ...entry.view.desired };
    if (value === undefined) delete desired[capability];
    else desired[capability] = value;
    entry.view = { ...entry.view, desired };
  };

  const refresh = (entry: DeviceEntry) => {
    const { id, desired, reported } = entry.view;
    const delta: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(desired)) if (reported[k] !== v) delta[k] = v;
    const pending = [...(inFlight.get(id)?.entries() ?? [])].filter(([, s]) => s.size > 0).map(([k]) => k);
    entry.view = {
      ...entry.view,
      twin: {
        converged: Object.keys(delta).length === 0 && pending.length === 0,
        delta,
        pending: pending.sort(),
        changedOnDevice: [...(changedOnDevice.get(id) ?? [])].sort(),
      },
    };
  };

  const isSetting = (entry: DeviceEntry, capability: string) =>
    entry.view.capabilities.find((c) => c.name === capability && c.kind === 'setting');

  /** Converges every drifted setting of a device that is not waiting on a command. */
  const reconcile = (entry: DeviceEntry) => {
    const { id, desired, reported, online } = entry.view;
    for (const [capability, want] of Object.entries(desired)) {
      const has = reported[capability];
      const descriptor = isSetting(entry, capability);
      if (!descriptor || has === undefined || has === want || flying(id, capability)) continue;
      if (descriptor.twin === 'device') {
        setDesired(entry, capability, has);
        persistDesired(entry);
        const changed = changedOnDevice.get(id) ?? new Set<string>();
        changedOnDevice.set(id, changed);
        changed.add(capability);
        adopted.inc();
        log.info({ deviceId: id, capability, value: has }, 'changed on the device: desired follows it');
        continue;
      }
      if (!online) continue;
      const key = `${id}\0${capability}`;
      const wait = (lastResend.get(key) ?? -Infinity) + RESEND_EVERY_MS - ctx.clock.now();
      if (wait > 0) {
        // Drifting again right after a correction: look again once the pause is over.
        if (!retries.has(key)) {
          const timer = setTimeout(() => {
            retries.delete(key);
            const again = registry.entry(id);
            if (again) reconcile(again);
          }, wait);
          timer.unref();
          retries.set(key, timer);
        }
        continue;
      }
      lastResend.set(key, ctx.clock.now());
      corrected.inc();
      log.info({ deviceId: id, capability, want, has }, 'drifted from desired: sending it again');
      commands()
        .issue({ deviceId: id, capability, value: want as SettingValue, source: 'twin' }, { waitMs: 0 })
        .catch((err: unknown) => log.warn({ err, deviceId: id, capability }, 'could not send desired again'));
    }
    refresh(entry);
  };

  const onCommand = (u: { commandId: string; deviceId: string; capability: string; status: string }) => {
    const entry = registry.entry(u.deviceId);
    if (!entry || !isSetting(entry, u.capability)) return;
    const active = u.status === 'pending' || u.status === 'sent';
    track(u.deviceId, u.capability, u.commandId, active);
    // Refused or too late: the device never took the value, so desired is what it has.
    if ((u.status === 'failed' || u.status === 'expired') && !flying(u.deviceId, u.capability)) {
      setDesired(entry, u.capability, entry.view.reported[u.capability]);
      persistDesired(entry);
    }
    refresh(entry);
  };

  return {
    want(entry, capability, value) {
      setDesired(entry, capability, value);
      changedOnDevice.get(entry.view.id)?.delete(capability);
      ctx.repos.devices.saveDesired(entry.view.id, entry.view.desired);
    },
    start() {
      for (const r of commands().activeRecords())
        if (r.kind === 'setting') track(r.deviceId, r.capability, r.id, true);
      for (const view of registry.list()) {
        const entry = registry.entry(view.id);
        if (entry) refresh(entry);
      }
      const on = ctx.bus.on.bind(ctx.bus);
      unsubscribe.push(
        on('command.updated', 'twin', onCommand),
        on('device.state', 'twin', ({ deviceId }) => {
          const entry = registry.entry(deviceId);
          if (entry) reconcile(entry);
        }),
        // Back online: the commands unit has re-sent what was queued (it listens first), so only
        // a drift with nothing in flight is corrected here.
        on('device.availability', 'twin', ({ deviceId, online }) => {
          const entry = registry.entry(deviceId);
          if (entry && online) reconcile(entry);
        }),
        on('device.removed', 'twin', ({ deviceId }) => {
          inFlight.delete(deviceId);
          changedOnDevice.delete(deviceId);
        }),
      );
    },
    stop() {
      for (const u of unsubscribe.splice(0)) u();
      for (const timer of retries.values()) clearTimeout(timer);
      retries.clear();
    },
  };
}
