// Notices tokens revoked or given other rights by another process on the same data directory
// (`hearth tokens revoke` while the hub runs), so their open MQTT sessions and event streams end
// within a second, as they do for a change through the API.
import type { Unit } from '../context.js';
import type { TokenService } from './token-service.js';

export const REVOCATION_POLL_MS = 250;

export function createRevocationWatch(tokens: TokenService, intervalMs = REVOCATION_POLL_MS): Unit {
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'revocation-watch',
    start() {
      timer = setInterval(() => tokens.pollChanges(), intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
