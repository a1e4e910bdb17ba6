// Bounded history: events, state history and settled commands older than their retention are
// deleted at start and then hourly, so a hub running for years keeps a small database.
import { and, lt, notInArray } from 'drizzle-orm';
import type { HubContext, Unit } from '../context.js';
import { commands, events, stateHistory } from './schema/index.js';

export const RETENTION_DAYS = { events: 30, stateHistory: 7, commands: 30 } as const;
const DAY = 24 * 3600_000;

export function pruneHistory(ctx: HubContext): { events: number; stateHistory: number; commands: number } {
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
          notInArray(commands.status, ['pending', 'sent']),
        ),
      )
      .run().changes,
  };
}

export function createRetentionUnit(ctx: HubContext): Unit {
  const log = ctx.log.child({ module: 'retention' });
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    const removed = pruneHistory(ctx);
    if (removed.events + removed.stateHistory + removed.commands > 0) log.info(removed, 'pruned old history');
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
