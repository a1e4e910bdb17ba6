// The run log: exactly one row per occurrence, whoever ran it. The occurrence id is the primary
// key and every insert is INSERT OR IGNORE, so a device report that arrives twice, or a hub run
// racing a device report, is recorded once. Hot-path statements are prepared once.
import type { HubContext } from '../core/context.js';
import type { RunView } from './schemas.js';

export type RunStatus = RunView['status'];

export interface RunEntry {
  occurrence: string;
  scheduleId: string;
  deviceId: string;
  scheduledAt: number;
  ranAt: number | null;
  by: 'hub' | 'device';
  status: RunStatus;
  late?: number | null;
  catchUp?: boolean;
  reason?: string | null;
  commandId?: string | null;
  error?: { code: string; message: string } | null;
}

export interface RunLog {
  /** Records a run; false when the occurrence is already in the log. */
  insert(entry: RunEntry): boolean;
  /** The command a hub run handed over, in the transaction that recorded both. */
  setCommand(occurrence: string, commandId: string): void;
  /** The outcome of a hub-issued command (batched with the hub's other writes). */
  settle(
    occurrence: string,
    patch: { status: RunStatus; commandId?: string; error?: { code: string; message: string } },
  ): void;
  get(occurrence: string): RunView | undefined;
  list(filter: { scheduleId?: string; deviceId?: string; before?: number; limit: number }): RunView[];
  /** Hub runs still waiting for their command's outcome. */
  unsettled(): RunView[];
}

interface Row {
  occurrence: string;
  schedule_id: string;
  device_id: string;
  scheduled_at: number;
  ran_at: number | null;
  by: 'hub' | 'device';
  status: RunStatus;
  late: number | null;
  catch_up: number;
  reason: string | null;
  command_id: string | null;
  error_code: string | null;
  error_message: string | null;
}

const COLUMNS =
  'occurrence, schedule_id, device_id, scheduled_at, ran_at, by, status, late, catch_up, reason, command_id, error_code, error_message';

export function createRunLog(ctx: HubContext): RunLog {
  const db = ctx.store.sqlite;
  // Positional parameters: no object per run to bind by name, in a scheduler tick that hands a
  // thousand runs over in one go.
  const insert = db.prepare(
    `INSERT OR IGNORE INTO schedule_runs (${COLUMNS}, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const settle = db.prepare(
    'UPDATE schedule_runs SET status = @status, command_id = COALESCE(@commandId, command_id), error_code = @errorCode, error_message = @errorMessage WHERE occurrence = @occurrence',
  );
  const setCommand = db.prepare('UPDATE schedule_runs SET command_id = ? WHERE occurrence = ?');
  const getOne = db.prepare(`SELECT ${COLUMNS} FROM schedule_runs WHERE occurrence = ?`);
  const unsettled = db.prepare(`SELECT ${COLUMNS} FROM schedule_runs WHERE status = 'issued' AND by = 'hub'`);

  return {
    insert(e) {
      return (
        insert.run(
          e.occurrence,
          e.scheduleId,
          e.deviceId,
          e.scheduledAt,
          e.ranAt,
          e.by,
          e.status,
          e.late ?? null,
          e.catchUp ? 1 : 0,
          e.reason ?? null,
          e.commandId ?? null,
          e.error?.code ?? null,
          e.error?.message ?? null,
          ctx.clock.now(),
        ).changes === 1
      );
    },
    setCommand(occurrence, commandId) {
      setCommand.run(commandId, occurrence);
    },
    settle(occurrence, patch) {
      const args = {
        occurrence,
        status: patch.status,
        commandId: patch.commandId ?? null,
        errorCode: patch.error?.code ?? null,
        errorMessage: patch.error?.message ?? null,
      };
      ctx.writes.enqueue(() => settle.run(args));
    },
    get(occurrence) {
      ctx.writes.flush();
      const row = getOne.get(occurrence) as Row | undefined;
      return row ? view(row) : undefined;
    },
    list({ scheduleId, deviceId, before, limit }) {
      ctx.writes.flush();
      const filters: Array<[string, string | number | undefined]> = [
        ['schedule_id = ?', scheduleId],
        ['device_id = ?', deviceId],
        ['scheduled_at < ?', before],
      ];
      const used = filters.filter(([, v]) => v !== undefined);
      const where = used.map(([sql]) => sql);
      const args = used.map(([, v]) => v as string | number);
      const sql = `SELECT ${COLUMNS} FROM schedule_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY scheduled_at DESC, occurrence LIMIT ?`;
      return (db.prepare(sql).all(...args, limit) as Row[]).map(view);
    },
    unsettled: () => {
      ctx.writes.flush();
      return (unsettled.all() as Row[]).map(view);
    },
  };
}

function view(r: Row): RunView {
  return {
    occurrence: r.occurrence,
    scheduleId: r.schedule_id,
    deviceId: r.device_id,
    scheduledAt: r.scheduled_at,
    ranAt: r.ran_at,
    by: r.by,
    status: r.status,
    late: r.late,
    catchUp: r.catch_up === 1,
    reason: r.reason,
    commandId: r.command_id,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
  };
}
