// The store's face to the rest of the hub: one repository per kind of fact, and the transaction
// port the command path commits through. Nothing outside hub/store/ needs a table or a query.
import type { Clock } from '../infra/clock.js';
import { type AuditLog, createAuditLog } from './audit-log.js';
import { type CommandRepository, createCommandRepository } from './command-repository.js';
import type { Store } from './db.js';
import { createDeviceRepository, type DeviceRepository } from './device-repository.js';
import { createDiscoveredRepository, type DiscoveredRepository } from './discovered-repository.js';
import { createIdempotencyStore, type IdempotencyStore } from './idempotency-store.js';

export interface Transactions {
  /** Runs `fn` in one transaction; nested calls join the outermost (see hot-statements.ts). */
  atomically(fn: () => void): void;
  /** Runs `fn` once the enclosing transaction has committed (now, outside one). */
  whenCommitted(fn: () => void): void;
}

export interface Repositories {
  devices: DeviceRepository;
  commands: CommandRepository;
  /** Factory devices waiting to be adopted. */
  discovered: DiscoveredRepository;
  idempotency: IdempotencyStore;
  audit: AuditLog;
  tx: Transactions;
}

export function createRepositories(store: Store, clock: Clock): Repositories {
  let idempotency: IdempotencyStore | undefined;
  return {
    devices: createDeviceRepository(store),
    commands: createCommandRepository(store),
    discovered: createDiscoveredRepository(store),
    // Prepared on first use: a hub that never sees a keyed command never prepares them.
    get idempotency() {
      idempotency ??= createIdempotencyStore(store.sqlite);
      return idempotency;
    },
    audit: createAuditLog(store, clock),
    tx: {
      atomically: (fn) => store.hot.atomically(fn),
      whenCommitted: (fn) => store.hot.whenCommitted(fn),
    },
  };
}
