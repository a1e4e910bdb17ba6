// Notices tokens revoked or given other rights, and MQTT users removed, by another process on the
// same data directory (`hearth tokens revoke` while the hub runs), so their open MQTT sessions and
// event streams end within a second, as they do for a change through the API.
import type { Unit } from '../infra/unit.js';

export const REVOCATION_POLL_MS = 250;

export function createRevocationWatch(
  watched: Array<{ pollChanges(): void }>,
  intervalMs = REVOCATION_POLL_MS,
): Unit {
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'revocation-watch',
    start() {
      timer = setInterval(() => {
        for (const w of watched) w.pollChanges();
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
