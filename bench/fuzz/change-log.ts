// Records every row the hub writes, so "a refused input changed no row" is checked exactly and
// cheaply. Triggers on every table of the fuzz hub's own (throwaway) SQLite file append the table,
// the operation and the row as JSON to `fuzz_changes`; the fuzzer reads what is new after each
// input. Bookkeeping that is not the input's doing (a token's once-a-minute last-use stamp) is left
// out by naming the columns an UPDATE trigger watches.
import Database from 'better-sqlite3';

export interface RowChange {
  table: string;
  op: 'insert' | 'update' | 'delete';
  row: Record<string, unknown>;
}

export interface ChangeLog {
  /** Rows written since the last call. */
  take(): RowChange[];
  close(): void;
}

/** Columns whose updates are bookkeeping, per table. */
const BOOKKEEPING: Record<string, string[]> = { tokens: ['last_used_at'] };

export function watchChanges(file: string): ChangeLog {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const tables = (
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as Array<{ name: string }>
  ).map((t) => t.name);
  db.exec(
    'CREATE TABLE IF NOT EXISTS fuzz_changes (id INTEGER PRIMARY KEY, tbl TEXT NOT NULL, op TEXT NOT NULL, row TEXT)',
  );
  for (const table of tables) {
    const columns = (db.pragma(`table_info("${table}")`) as Array<{ name: string }>).map((c) => c.name);
    const json = (alias: 'NEW' | 'OLD') =>
      `json_object(${columns.map((c) => `'${c}', ${alias}."${c}"`).join(', ')})`;
    const watched = columns.filter((c) => !BOOKKEEPING[table]?.includes(c));
    const log = (op: string, alias: 'NEW' | 'OLD') =>
      `BEGIN INSERT INTO fuzz_changes (tbl, op, row) VALUES ('${table}', '${op}', ${json(alias)}); END`;
    db.exec(`CREATE TRIGGER "fuzz_${table}_insert" AFTER INSERT ON "${table}" ${log('insert', 'NEW')}`);
    db.exec(`CREATE TRIGGER "fuzz_${table}_delete" AFTER DELETE ON "${table}" ${log('delete', 'OLD')}`);
    db.exec(
      `CREATE TRIGGER "fuzz_${table}_update" AFTER UPDATE OF ${watched.map((c) => `"${c}"`).join(', ')} ON "${table}" ${log('update', 'NEW')}`,
    );
  }
  const since = db.prepare('SELECT id, tbl, op, row FROM fuzz_changes WHERE id > ? ORDER BY id');
  let last = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM fuzz_changes').get() as { id: number }).id;
  return {
    take() {
      const rows = since.all(last) as Array<{ id: number; tbl: string; op: RowChange['op']; row: string }>;
      if (rows.length > 0) last = (rows[rows.length - 1] as { id: number }).id;
      return rows.map((r) => ({ table: r.tbl, op: r.op, row: JSON.parse(r.row) as Record<string, unknown> }));
    },
    close: () => db.close(),
  };
}

/** One line per change, for a finding. */
export function describeChanges(changes: RowChange[]): string {
  return changes
    .slice(0, 3)
    .map((c) => `${c.op} ${c.table} ${JSON.stringify(c.row).slice(0, 160)}`)
    .concat(changes.length > 3 ? [`… ${changes.length - 3} more`] : [])
    .join('; ');
}
