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
import { createDriftCorrector } from './drift-corrector.js';
import { SettingsInFlight } from './settings-in-flight.js';

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
  const adopted = ctx.metrics.counter(
    'hearth_twin_adoptions_total',
    'Device changes adopted as desired (device wins)',
  );
  const settings = new SettingsInFlight();
  const resend = createDriftCorrector(
    ctx,
    (deviceId) => {
      const again = registry.entry(deviceId);
      if (again) reconcile(again);
    },
    commands,
  );
  const unsubscribe: Array<() => void> = [];
  const flying = (deviceId: string, capability: string) => settings.flying(deviceId, capability);

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
    entry.view = { ...entry.view, twin: settings.viewOf(entry.view) };
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
        settings.markChangedOnDevice(id, capability);
        adopted.inc();
        log.info({ deviceId: id, capability, value: has }, 'changed on the device: desired follows it');
        continue;
      }
      if (online) resend(id, capability, want as SettingValue, has);
    }
    refresh(entry);
  };

  const onCommand = (u: { commandId: string; deviceId: string; capability: string; status: string }) => {
    const entry = registry.entry(u.deviceId);
    if (!entry || !isSetting(entry, u.capability)) return;
    const active = u.status === 'pending' || u.status === 'sent';
    settings.track(u.deviceId, u.capability, u.commandId, active);
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
      settings.changedOnDevice.get(entry.view.id)?.delete(capability);
      ctx.repos.devices.saveDesired(entry.view.id, entry.view.desired);
    },
    start() {
      for (const r of commands().activeRecords())
        if (r.kind === 'setting') settings.track(r.deviceId, r.capability, r.id, true);
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
        on('device.removed', 'twin', ({ deviceId }) => settings.forget(deviceId)),
      );
    },
    stop() {
      for (const u of unsubscribe.splice(0)) u();
      resend.stop();
    },
  };
}
