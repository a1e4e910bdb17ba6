// Opens the hub's SQLite file with settings chosen for a Pi in a cupboard: WAL (readers never block
// the writer), synchronous=NORMAL (in WAL mode a crash or power cut never corrupts the file; a power
// cut may lose only the last commits, a killed process loses nothing), a busy
// timeout so a backup or CLI on the same file waits instead of failing. Migrations run on open.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { type HotStatements, prepareHotStatements } from './hot-statements.js';
import * as schema from './schema/index.js';

export type Db = BetterSQLite3Database<typeof schema>;

const WAL_CHECKPOINT_PAGES = 10_000;

export interface Store {
  db: Db;
  /** The raw connection, for pragmas, backups and hot-path prepared statements. */
  sqlite: Database.Database;
  path: string;
  /** Prepared statements for the hot paths, prepared on first use. */
  readonly hot: HotStatements;
  close(): void;
}

/** The package's checked-in migrations (drizzle-kit output), found from source or from dist/. */
export function migrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes(`${join('dist', 'hub')}`)
    ? join(here, '..', '..', '..')
    : join(here, '..', '..');
  return join(root, 'drizzle');
}

export function storePath(dataDir: string): string {
  return join(dataDir, 'hearth.db');
}

export function openStore(path: string, options: { readonly?: boolean } = {}): Store {
  mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path, { readonly: options.readonly ?? false });
  sqlite.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    // The running hub checkpoints on a timer (checkpointer.ts); SQLite's own threshold is the net
    // for everything else that opens the file (CLI, backup) and for a hub whose timer falls behind.
    sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    sqlite.pragma('foreign_keys = ON');
  }
  const db = drizzle(sqlite, { schema, casing: 'snake_case' });
  if (!options.readonly) migrate(db, { migrationsFolder: migrationsFolder() });
  let hot: HotStatements | undefined;
  return {
    db,
    sqlite,
    path,
    get hot() {
      hot ??= prepareHotStatements(sqlite);
      return hot;
    },
    close() {
      if (sqlite.open) sqlite.close();
    },
  };
}
