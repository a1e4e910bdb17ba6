// Takes the retained schedule list the hub pushes to a device that keeps its own schedules: checks
// it, ignores a copy it already runs or an older one, commits it to flash, then hands it to the
// local scheduler and reports the new version in state.
import { decodeJson } from '../../shared/decode.js';
import { DeviceSchedulesSchema, PAYLOAD_LIMITS } from '../../shared/payloads.js';
import type { BootReporter } from './boot-reporter.js';
import type { BootSession } from './boot-session.js';

export function createScheduleIntake(s: BootSession, reporter: BootReporter) {
  return async (payload: Buffer): Promise<void> => {
    if (!s.keepsSchedules) return;
    if (payload.length === 0) {
      if (s.state.schedules === null) return;
      s.state.schedules = null;
    } else {
      const decoded = decodeJson(DeviceSchedulesSchema, payload, PAYLOAD_LIMITS.schedules);
      if (!decoded.ok)
        return s.log.warn({ code: decoded.error.code }, `schedules refused: ${decoded.error.message}`);
      const running = s.state.schedules;
      if (running?.version === decoded.value.version) return; // retained copy after a reconnect
      // Versions only grow: an older list is a stale copy that overtook the newer one in the
      // broker (two pushes racing); running it would undo the owner's change.
      if (running && decoded.value.version < running.version) {
        s.log.info({ version: decoded.value.version, running: running.version }, 'older schedules ignored');
        return;
      }
      s.state.schedules = decoded.value;
    }
    await s.flash.save();
    if (s.dead) return;
    s.scheduler?.load(s.state.schedules);
    s.log.info({ version: s.state.schedules?.version ?? null }, 'schedules updated');
    await reporter.publishState();
  };
}
