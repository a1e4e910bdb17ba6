// The data directory holds secrets (token and device hashes in the database, the hub's keys,
// config, backups): it and they are readable by the hub's user only, whatever the umask.
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` if needed and makes it private (an existing one too). */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Makes the data directory, its keys and backups folders and every file in them private. */
export function makeDataDirPrivate(dataDir: string): void {
  ensurePrivateDir(dataDir);
  const walk = (dir: string, depth: number) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue; // gone meanwhile (a -shm file)
      if (st.isDirectory()) {
        chmodSync(path, PRIVATE_DIR_MODE);
        if (depth < 2) walk(path, depth + 1);
      } else if (st.isFile()) chmodSync(path, PRIVATE_FILE_MODE);
    }
  };
  if (existsSync(dataDir)) walk(dataDir, 0);
}
