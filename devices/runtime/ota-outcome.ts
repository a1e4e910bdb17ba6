// The outcome of the last firmware offer, kept in flash: recorded when an update is confirmed,
// rolled back or refused, shown in info, and sent once as an `ota` event (after a rollback, by the
// next, old, boot).
import type { DeviceInfo } from '../../shared/payloads.js';
import type { OtaHost, OtaResult } from './ota-types.js';

export interface OtaOutcome {
  record(rollout: string, version: string, result: OtaResult, reason?: string): void;
  /** Sends the last outcome's event once, when online. */
  report(): void;
  infoUpdate(): DeviceInfo['update'];
}

export function createOtaOutcome(host: OtaHost): OtaOutcome {
  const fw = () => host.state().firmware;
  return {
    record(rollout, version, result, reason) {
      fw().last = {
        rollout,
        version,
        result,
        ...(reason ? { reason: reason.slice(0, 200) } : {}),
        at: Date.now(),
        reported: false,
      };
    },
    report() {
      const last = fw().last;
      if (!last || last.reported || !host.hub()) return;
      last.reported = true;
      host.emit({
        type: 'ota',
        rollout: last.rollout,
        version: last.version,
        phase: last.result,
        ...(last.reason ? { detail: last.reason } : {}),
      });
      host.onProgress?.(last.result, last.version, last.reason);
      host.republishInfo();
      void host.save().catch(() => undefined);
    },
    infoUpdate() {
      const last = fw().last;
      if (!last) return undefined;
      const { reported: _r, ...update } = last;
      return update;
    },
  };
}
