// Backups of a hub's data directory, safe while the hub runs: SQLite's online backup API copies a
// consistent snapshot page by page (WAL readers never block), then config and keys are added and
// everything is packed with a manifest of sha256 sums into one .tar.gz.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { storePath } from '../store/db.js';
import { PRIVATE_FILE_MODE } from './private-files.js';

export const BACKUP_FORMAT = 1;
/** Files of the data directory that a backup carries besides the database. */
const EXTRA_FILES = ['config.json'];
/**
 * `tls` holds the hub CA: without it every phone and device would have to trust a new one.
 * `matter` holds the Matter fabrics: without it Apple Home, Google Home and Alexa must pair again.
 */
export const EXTRA_DIRS = ['keys', 'tls', 'matter'];

export interface Manifest {
  format: number;
  createdAt: string;
  files: Record<string, string>;
}

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

export function defaultBackupName(now = new Date()): string {
  return `hearth-backup-${now.toISOString().replace(/[:.]/g, '-')}.tar.gz`;
}

/** Writes a backup of `dataDir` to `file`; returns its manifest. */
export async function backupDataDir(
  dataDir: string,
  file: string,
  onProgress?: (p: BackupProgress) => void,
): Promise<Manifest> {
  const db = storePath(dataDir);
  if (!existsSync(db)) throw new Error(`no hub database in ${dataDir}`);
  const stage = mkdtempSync(join(tmpdir(), 'hearth-backup-'));
  try {
    const source = new Database(db, { readonly: true, fileMustExist: true });
    source.pragma('busy_timeout = 5000');
    try {
      await source.backup(join(stage, 'hearth.db'), {
        progress: (p) => {
          onProgress?.(p);
          return 256; // pages per step: small steps let the hub keep writing in between
        },
      });
    } finally {
      source.close();
    }
    for (const f of EXTRA_FILES)
      if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(stage, f));
    for (const d of EXTRA_DIRS) {
      if (!existsSync(join(dataDir, d))) continue;
      // Recursive: the Matter node keeps its fabric data one folder down.
      cpSync(join(dataDir, d), join(stage, d), { recursive: true });
    }
    const manifest: Manifest = { format: BACKUP_FORMAT, createdAt: new Date().toISOString(), files: {} };
    for (const rel of listFiles(stage)) manifest.files[rel] = sha256(join(stage, rel));
    writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    mkdirSync(dirname(resolve(file)), { recursive: true });
    const tmp = `${resolve(file)}.partial`;
    // The archive holds the hub's keys: created private, before a byte is written.
    writeFileSync(tmp, '', { mode: PRIVATE_FILE_MODE });
    chmodSync(tmp, PRIVATE_FILE_MODE);
    execFileSync('tar', ['-czf', tmp, '-C', stage, '.']);
    execFileSync('mv', [tmp, resolve(file)]);
    return manifest;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(join(dir, name)).isDirectory() ? listFiles(join(dir, name), rel) : [rel];
  });
}

/** Unpacks and verifies a backup into a fresh folder; throws with a plain reason when it is bad. */
export function unpackAndVerify(file: string): { dir: string; manifest: Manifest } {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const dir = mkdtempSync(join(tmpdir(), 'hearth-restore-'));
  try {
    execFileSync('tar', ['-xzf', file, '-C', dir], { stdio: 'pipe' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${basename(file)} is not a Hearth backup (not a readable .tar.gz)`);
  }
  const fail = (why: string) => {
    rmSync(dir, { recursive: true, force: true });
    return new Error(`${basename(file)} failed verification: ${why}`);
  };
  if (!existsSync(join(dir, 'manifest.json'))) throw fail('it has no manifest.json');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    throw fail('its manifest is not JSON');
  }
  if (manifest.format !== BACKUP_FORMAT)
    throw fail(`backup format ${manifest.format} is not supported (expected ${BACKUP_FORMAT})`);
  if (!manifest.files['hearth.db']) throw fail('it holds no database');
  for (const [rel, sum] of Object.entries(manifest.files)) {
    if (!existsSync(join(dir, rel))) throw fail(`${rel} is missing`);
    if (sha256(join(dir, rel)) !== sum) throw fail(`${rel} does not match its checksum`);
  }
  const integrity = integrityCheck(join(dir, 'hearth.db'));
  if (integrity !== 'ok') throw fail(`the database is damaged (${integrity})`);
  return { dir, manifest };
}

/** `PRAGMA integrity_check` on a database file: "ok" or the first problem. */
export function integrityCheck(path: string): string {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows[0]?.integrity_check ?? 'no answer';
  } catch (err) {
    return (err as Error).message;
  } finally {
    db?.close();
  }
}
