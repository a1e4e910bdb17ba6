// Which settings of each device have a command on its way, and what the twin shows for a device:
// the delta between desired and reported, the pending settings and those changed on the device.
import type { DeviceTwinView, DeviceView } from '../../../shared/views.js';

export class SettingsInFlight {
  /** deviceId → capability → ids of setting commands in flight. */
  private readonly byDevice = new Map<string, Map<string, Set<string>>>();
  /** deviceId → `device`-wins settings the device changed itself. */
  readonly changedOnDevice = new Map<string, Set<string>>();

  flying(deviceId: string, capability: string): boolean {
    return (this.byDevice.get(deviceId)?.get(capability)?.size ?? 0) > 0;
  }

  track(deviceId: string, capability: string, commandId: string, active: boolean): void {
    const byCap = this.byDevice.get(deviceId) ?? new Map<string, Set<string>>();
    this.byDevice.set(deviceId, byCap);
    const ids = byCap.get(capability) ?? new Set<string>();
    byCap.set(capability, ids);
    if (active) ids.add(commandId);
    else ids.delete(commandId);
  }

  markChangedOnDevice(deviceId: string, capability: string): void {
    const changed = this.changedOnDevice.get(deviceId) ?? new Set<string>();
    this.changedOnDevice.set(deviceId, changed);
    changed.add(capability);
  }

  forget(deviceId: string): void {
    this.byDevice.delete(deviceId);
    this.changedOnDevice.delete(deviceId);
  }

  /** What has not converged for this device. */
  viewOf({ id, desired, reported }: DeviceView): DeviceTwinView {
    const delta: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(desired)) if (reported[k] !== v) delta[k] = v;
    const pending = [...(this.byDevice.get(id)?.entries() ?? [])]
      .filter(([, s]) => s.size > 0)
      .map(([k]) => k);
    return {
      converged: Object.keys(delta).length === 0 && pending.length === 0,
      delta,
      pending: pending.sort(),
      changedOnDevice: [...(this.changedOnDevice.get(id) ?? [])].sort(),
    };
  }
}
