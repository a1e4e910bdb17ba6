// The firmware slots' files, next to the flash: `<base>.fw.a` / `.fw.b` hold update images, and
// `<base>.fw.<sha>.part` a download in progress (kept across a reboot so it resumes). A slot is
// written in place and fdatasync'ed before the flash state points at it, so a power cut mid-write
// leaves the boot loader on the old slot; a slot whose bytes do not hash to what the flash state
// recorded is never booted.
import { createHash } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const CHUNK = 16 * 1024;

export const slotFile = (base: string, slot: 'a' | 'b') => `${base}.fw.${slot}`;
export const partFile = (base: string, sha256: string) => `${base}.fw.${sha256.slice(0, 16)}.part`;

/** Writes an image into a slot file, in chunks (a flash chip writes a sector at a time). */
export async function writeSlot(
  path: string,
  bytes: Buffer,
  options: { delayMsPerChunk?: number; onChunk?: (written: number) => void } = {},
): Promise<void> {
  const fd = openSync(path, 'w', 0o600);
  try {
    for (let at = 0; at < bytes.length; at += CHUNK) {
      writeSync(fd, bytes, at, Math.min(CHUNK, bytes.length - at));
      options.onChunk?.(at);
      if (options.delayMsPerChunk) await new Promise((r) => setTimeout(r, options.delayMsPerChunk));
    }
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** True when the slot file holds exactly the image with this SHA-256. */
export async function slotHolds(path: string, sha256: string): Promise<boolean> {
  try {
    return (
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex') === sha256
    );
  } catch {
    return false;
  }
}

/** Bytes of a partial download already on disk (0 when none). */
export async function partSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Removes downloads in progress other than `keep` (an offer superseded by another). */
export async function removeParts(base: string, keep?: string): Promise<void> {
  const dir = dirname(base);
  const prefix = `${basename(base)}.fw.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n.startsWith(prefix) && n.endsWith('.part') && join(dir, n) !== keep)
      .map((n) => rm(join(dir, n), { force: true })),
  );
}
