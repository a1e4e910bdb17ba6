// A device's "flash": two slot files (`<base>.a`, `<base>.b`) written alternately (in place, then
// fdatasync; the slot written is never the one holding the newest good copy), each carrying a
// generation counter and a checksum.
// A read takes the newest slot that checks out, so a write cut off half-way (or a slot damaged on
// disk) falls back to the last good copy instead of leaving the device bricked.
import { createHash } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

const MAGIC = 'HFL1';
const SLOTS = ['a', 'b'] as const;
type Slot = (typeof SLOTS)[number];

export interface FlashRead {
  data: unknown;
  generation: number;
  slot: Slot;
  /** Slots that existed but did not check out (torn write, corruption), with why. */
  damaged: Array<{ slot: Slot; reason: string }>;
}

export interface FlashFile {
  readonly path: string;
  /** The newest good copy, or null for a fresh device (no slot at all). Throws if slots exist but none is good. */
  read(): Promise<FlashRead | null>;
  /**
   * Writes `snapshot()` durably. Calls while a write is in flight coalesce into one more write of
   * the latest snapshot; each promise resolves once a write that began after the call is on disk.
   */
  save(): Promise<void>;
}

export function slotPath(base: string, slot: Slot): string {
  return `${base}.${slot}`;
}

export function encodeSlot(generation: number, data: unknown): Buffer {
  const json = JSON.stringify(data);
  const sha = createHash('sha256').update(json).digest('hex');
  return Buffer.from(`${MAGIC} ${generation} ${sha} ${Buffer.byteLength(json)}\n${json}`, 'utf8');
}

export function decodeSlot(bytes: Buffer): { generation: number; data: unknown } {
  const nl = bytes.indexOf(0x0a);
  if (nl === -1) throw new Error('no header line');
  const [magic, gen, sha, len] = bytes.subarray(0, nl).toString('utf8').split(' ');
  if (magic !== MAGIC) throw new Error('bad magic');
  const body = bytes.subarray(nl + 1);
  if (body.length !== Number(len)) throw new Error(`cut off: ${body.length} of ${len} bytes`);
  if (createHash('sha256').update(body).digest('hex') !== sha) throw new Error('checksum mismatch');
  const generation = Number(gen);
  if (!Number.isSafeInteger(generation) || generation < 0) throw new Error('bad generation');
  return { generation, data: JSON.parse(body.toString('utf8')) };
}

/**
 * Writes one slot durably: in place, then fdatasync, synchronously as a microcontroller would (the
 * async calls cost four thread-pool round trips between a command and its ack: p50 round trip
 * 2.3-2.9 → 1.9-2.2 ms with 1000 devices). No temp file and rename are needed: the slot
 * being written never holds the newest good copy, and a write cut off half-way fails its checksum,
 * so a read falls back to the other slot. A slot file that is new also needs its directory entry on
 * disk, once.
 */
async function writeSlot(path: string, bytes: Buffer, created: boolean): Promise<void> {
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (created) return;
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export function createFlashFile(base: string, snapshot: () => unknown): FlashFile {
  let generation = 0;
  let lastSlot: Slot | null = null;
  let writing: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let ensuredDir = false;
  /** Slots known to exist on disk (their directory entries are durable). */
  const created = new Set<Slot>();

  const writeOnce = async () => {
    if (!ensuredDir) {
      await mkdir(dirname(base), { recursive: true });
      ensuredDir = true;
    }
    generation += 1;
    // Never overwrite the slot holding the newest good copy.
    const slot: Slot = lastSlot === 'a' ? 'b' : 'a';
    await writeSlot(slotPath(base, slot), encodeSlot(generation, snapshot()), created.has(slot));
    created.add(slot);
    lastSlot = slot;
  };

  const save = (): Promise<void> => {
    if (!writing) {
      writing = writeOnce().finally(() => {
        writing = null;
      });
      return writing;
    }
    if (!queued) {
      queued = writing
        .catch(() => undefined)
        .then(() => {
          queued = null;
          return save();
        });
    }
    return queued;
  };

  return {
    path: base,
    save,
    async read() {
      const good: Array<{ slot: Slot; generation: number; data: unknown }> = [];
      const damaged: FlashRead['damaged'] = [];
      for (const slot of SLOTS) {
        let bytes: Buffer;
        try {
          bytes = await readFile(slotPath(base, slot));
          created.add(slot);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw err;
        }
        try {
          good.push({ slot, ...decodeSlot(bytes) });
        } catch (err) {
          damaged.push({ slot, reason: (err as Error).message });
        }
      }
      if (good.length === 0) {
        if (damaged.length === 0) return null;
        throw new Error(
          `flash ${basename(base)} is unreadable: ${damaged.map((d) => `slot ${d.slot}: ${d.reason}`).join('; ')}`,
        );
      }
      const newest = good.reduce((a, b) => (b.generation > a.generation ? b : a));
      generation = newest.generation;
      lastSlot = newest.slot;
      return { data: newest.data, generation: newest.generation, slot: newest.slot, damaged };
    },
  };
}
