// Bounded history: events, state history, idempotency keys and settled commands older than their retention are
// deleted at start and then hourly, so a hub running for years keeps a small database.
import { and, lt, notInArray } from 'drizzle-orm';
import { ACTIVE_COMMAND_STATUSES } from '../../shared/views.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/log.js';
import type { Unit } from '../infra/unit.js';
import type { Store } from './db.js';
import { IDEMPOTENCY_KEEP_MS } from './idempotency-store.js';
import { commands, events, idempotencyKeys, stateHistory } from './schema/index.js';

export const RETENTION_DAYS = { events: 30, stateHistory: 7, commands: 30 } as const;
const DAY = 24 * 3600_000;

/** What pruning needs: the store, and the clock it measures age by. */
export interface RetentionDeps {
  store: Store;
  clock: Clock;
  log: Logger;
}

export function pruneHistory(ctx: Omit<RetentionDeps, 'log'>): {
  events: number;
  stateHistory: number;
  commands: number;
  idempotencyKeys: number;
} {
  const now = ctx.clock.now();
  const { db } = ctx.store;
  return {
    events: db
      .delete(events)
      .where(lt(events.at, now - RETENTION_DAYS.events * DAY))
      .run().changes,
    stateHistory: db
      .delete(stateHistory)
      .where(lt(stateHistory.at, now - RETENTION_DAYS.stateHistory * DAY))
      .run().changes,
    commands: db
      .delete(commands)
      .where(
        and(
          lt(commands.issuedAt, now - RETENTION_DAYS.commands * DAY),
          notInArray(commands.status, ACTIVE_COMMAND_STATUSES),
        ),
      )
      .run().changes,
    idempotencyKeys: db
      .delete(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_KEEP_MS))
      .run().changes,
  };
}

export function createRetentionUnit(ctx: RetentionDeps): Unit {
  const log = ctx.log.child({ module: 'retention' });
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    const removed = pruneHistory(ctx);
    if (Object.values(removed).some((n) => n > 0)) log.info(removed, 'pruned old history');
  };
  return {
    name: 'retention',
    start() {
      run();
      timer = setInterval(run, 3600_000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
