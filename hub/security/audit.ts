// The audit log of security-relevant actions: pairing, tokens, device registration and removal.
import type { Clock } from '../infra/clock.js';
import type { Store } from '../store/db.js';
import { auditLog } from '../store/schema/index.js';

export function audit(
  store: Store,
  clock: Clock,
  actor: string,
  action: string,
  target?: string,
  detail?: unknown,
): void {
  store.db
    .insert(auditLog)
    .values({ at: clock.now(), actor, action, target: target ?? null, detail: detail ?? null })
    .run();
}
