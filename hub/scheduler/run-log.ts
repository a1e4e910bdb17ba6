// The run log: exactly one row per occurrence, whoever ran it. The occurrence id is the primary
// key and every insert is INSERT OR IGNORE, so a device report that arrives twice, or a hub run
// racing a device report, is recorded once. Hot-path statements are prepared once.
import type { HubContext } from '../context.js';
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
  /** The outcome of a hub-issued command. */
  settle(
    occurrence: string,
    patch: { status: RunStatus; commandId?: string; error?: { code: string; message: string } },
  ): void;
  /** How late the run was handed over, measured after the fact. */
  setLate(occurrence: string, lateMs: number): void;
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
  const insert = db.prepare(
    `INSERT OR IGNORE INTO schedule_runs (${COLUMNS}, recorded_at) VALUES (@occurrence, @scheduleId, @deviceId, @scheduledAt, @ranAt, @by, @status, @late, @catchUp, @reason, @commandId, @errorCode, @errorMessage, @recordedAt)`,
  );
  const settle = db.prepare(
    'UPDATE schedule_runs SET status = @status, command_id = COALESCE(@commandId, command_id), error_code = @errorCode, error_message = @errorMessage WHERE occurrence = @occurrence',
  );
  const setLate = db.prepare('UPDATE schedule_runs SET late = ? WHERE occurrence = ?');
  const getOne = db.prepare(`SELECT ${COLUMNS} FROM schedule_runs WHERE occurrence = ?`);
  const unsettled = db.prepare(`SELECT ${COLUMNS} FROM schedule_runs WHERE status = 'issued' AND by = 'hub'`);

  return {
    insert(e) {
      return (
        insert.run({
          occurrence: e.occurrence,
          scheduleId: e.scheduleId,
          deviceId: e.deviceId,
          scheduledAt: e.scheduledAt,
          ranAt: e.ranAt,
          by: e.by,
          status: e.status,
          late: e.late ?? null,
          catchUp: e.catchUp ? 1 : 0,
          reason: e.reason ?? null,
          commandId: e.commandId ?? null,
          errorCode: e.error?.code ?? null,
          errorMessage: e.error?.message ?? null,
          recordedAt: ctx.clock.now(),
        }).changes === 1
      );
    },
    settle(occurrence, patch) {
      settle.run({
        occurrence,
        status: patch.status,
        commandId: patch.commandId ?? null,
        errorCode: patch.error?.code ?? null,
        errorMessage: patch.error?.message ?? null,
      });
    },
    setLate(occurrence, lateMs) {
      setLate.run(lateMs, occurrence);
    },
    get(occurrence) {
      const row = getOne.get(occurrence) as Row | undefined;
      return row ? view(row) : undefined;
    },
    list({ scheduleId, deviceId, before, limit }) {
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
    unsettled: () => (unsettled.all() as Row[]).map(view),
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
