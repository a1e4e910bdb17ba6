// Restores a backup into a data directory: never over a running hub, only a verified backup, and
// the data it replaces is kept aside as a fallback.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { probeRunningHub } from '../infra/hub-lock.js';
import { EXTRA_DIRS, unpackAndVerify } from './backup.js';
import { ensurePrivateDir, makeDataDirPrivate } from './private-files.js';

export interface RestoreResult {
  restoredFiles: string[];
  /** Where the previous data went (absent on an empty data directory). */
  previous: string | null;
}

export async function restoreDataDir(
  file: string,
  dataDir: string,
  now = new Date(),
): Promise<RestoreResult> {
  // The lock, not runtime.json, says whether a hub runs: the file may be stale or missing.
  const live = await probeRunningHub(dataDir);
  if (live) {
    throw new Error(
      `a hub is running on ${dataDir} (pid ${live.pid}); stop it first (sudo systemctl stop hearth, or Ctrl-C)`,
    );
  }
  const { dir, manifest } = unpackAndVerify(file);
  try {
    ensurePrivateDir(dataDir);
    const movable = ['hearth.db', 'hearth.db-wal', 'hearth.db-shm', 'config.json', ...EXTRA_DIRS].filter(
      (f) => existsSync(join(dataDir, f)),
    );
    let previous: string | null = null;
    if (movable.length > 0) {
      previous = join(dataDir, `before-restore-${now.toISOString().replace(/[:.]/g, '-')}`);
      mkdirSync(previous);
      for (const f of movable) renameSync(join(dataDir, f), join(previous, f));
    }
    const restoredFiles: string[] = [];
    for (const entry of readdirSync(dir)) {
      if (entry === 'manifest.json') continue;
      renameSync(join(dir, entry), join(dataDir, entry));
      restoredFiles.push(entry);
    }
    // The archive's modes are not trusted: the restored secrets are private like the originals.
    makeDataDirPrivate(dataDir);
    return {
      restoredFiles: restoredFiles.filter((f) => f in manifest.files || EXTRA_DIRS.includes(f)),
      previous,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
