// Update image files on the hub's disk, `<data-dir>/firmware/<sha256>.hup`, written once (temp
// file, fsync, rename) and read back for downloads, the last few kept in memory: a rollout sends
// the same file to every device of a wave.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const CACHED = 4;

export interface ImageFiles {
  write(id: string, bytes: Buffer): void;
  read(id: string): Buffer;
}

export function createImageFiles(dataDir: string): ImageFiles {
  const dir = join(dataDir, 'firmware');
  const cache = new Map<string, Buffer>();
  const path = (id: string) => join(dir, `${id}.hup`);
  const remember = (id: string, bytes: Buffer) => {
    cache.delete(id);
    cache.set(id, bytes);
    if (cache.size > CACHED) cache.delete(cache.keys().next().value as string);
  };
  return {
    write(id, bytes) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${path(id)}.tmp`;
      const fd = openSync(tmp, 'w', 0o644);
      try {
        writeSync(fd, bytes);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path(id));
      remember(id, bytes);
    },
    read(id) {
      const hit = cache.get(id);
      if (hit) return hit;
      const bytes = readFileSync(path(id));
      remember(id, bytes);
      return bytes;
    },
  };
}
