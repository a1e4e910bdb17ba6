// Follows each hub-issued run to its command's end and writes the outcome to the run log; kept
// apart from the runner so resuming unsettled runs after a restart lives beside the settling itself.
import { HearthError } from '../../shared/errors.js';
import type { CommandRecord } from '../../shared/views.js';
import type { CoreContext } from '../core/context.js';
import type { Counter } from '../infra/metrics.js';
import type { RunLog } from './run-log.js';

const TERMINAL = new Set(['done', 'failed', 'expired']);

export interface SettledRun {
  scheduleId: string;
  deviceId: string;
  occurrence: string;
  ok: boolean;
}

export interface RunSettlement {
  /** Watches an issued command; the run settles when it ends, or fails at once if it was refused. */
  follow(
    run: { occurrence: string; scheduleId: string; deviceId: string },
    issued: Promise<CommandRecord>,
  ): void;
  /** Picks up the runs a previous hub left unsettled, and listens for command updates. */
  start(): void;
  stop(): void;
}

export function createRunSettlement(deps: {
  ctx: CoreContext;
  runLog: RunLog;
  firedCount: Counter;
  onSettled(run: SettledRun): void;
}): RunSettlement {
  const { ctx, runLog, firedCount, onSettled } = deps;
  const log = ctx.log.child({ module: 'scheduler' });
  /** Hub runs whose command has not settled yet, by command id. */
  const awaiting = new Map<string, { occurrence: string; scheduleId: string; deviceId: string }>();
  let unsubscribe: (() => void) | undefined;

  const settle = (
    commandId: string,
    record: { status: string; error?: { code: string; message: string } | undefined },
  ) => {
    const run = awaiting.get(commandId);
    if (!run || !TERMINAL.has(record.status)) return;
    awaiting.delete(commandId);
    const ok = record.status === 'done';
    runLog.settle(run.occurrence, {
      status: ok ? 'ok' : 'failed',
      commandId,
      ...(record.error ? { error: { code: record.error.code, message: record.error.message } } : {}),
    });
    firedCount.inc({ by: 'hub', outcome: ok ? 'ok' : 'failed' });
    onSettled({ ...run, ok });
  };

  return {
    follow(run, issued) {
      issued.then(
        (record) => {
          awaiting.set(record.id, run);
          settle(record.id, record);
        },
        (err: unknown) => {
          const error =
            err instanceof HearthError ? err.toBody() : { code: 'internal' as const, message: String(err) };
          log.warn(
            { scheduleId: run.scheduleId, occurrence: run.occurrence, code: error.code },
            `scheduled command refused: ${error.message}`,
          );
          runLog.settle(run.occurrence, { status: 'failed', error });
          firedCount.inc({ by: 'hub', outcome: 'failed' });
          onSettled({ ...run, ok: false });
        },
      );
    },
    start() {
      for (const run of runLog.unsettled()) {
        if (!run.commandId) {
          runLog.settle(run.occurrence, {
            status: 'failed',
            error: { code: 'internal', message: 'the hub stopped before the command was handed over' },
          });
          continue;
        }
        awaiting.set(run.commandId, run);
        const record = ctx.commands.get(run.commandId);
        if (record) settle(run.commandId, record);
      }
      unsubscribe = ctx.bus.on('command.updated', 'scheduler', (u) => settle(u.commandId, u));
    },
    stop() {
      unsubscribe?.();
    },
  };
}
