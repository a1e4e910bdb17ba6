// The audit log of security-relevant actions: pairing, tokens, device registration and removal.
import type { Clock } from '../infra/clock.js';
import type { Store } from './db.js';
import { auditLog } from './schema/index.js';

export interface AuditLog {
  record(actor: string, action: string, target?: string, detail?: unknown): void;
}

export function createAuditLog(store: Store, clock: Clock): AuditLog {
  return {
    record(actor, action, target, detail) {
      store.db
        .insert(auditLog)
        .values({ at: clock.now(), actor, action, target: target ?? null, detail: detail ?? null })
        .run();
    },
  };
}
