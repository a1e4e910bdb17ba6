import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFlashFile, slotPath } from '../../../devices/runtime/flash-file.js';
import { tempDir } from '../support/plain-broker.js';

describe('flash file (A/B slots, atomic writes)', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('hearth-flash-');
  });
  afterEach(() => dir.remove());

  it('reads null for a fresh device and alternates slots with growing generations', async () => {
    let data = { n: 0 };
    const base = join(dir.path, 'dev.flash');
    const flash = createFlashFile(base, () => data);
    expect(await flash.read()).toBeNull();
    data = { n: 1 };
    await flash.save();
    data = { n: 2 };
    await flash.save();
    expect(existsSync(slotPath(base, 'a')) && existsSync(slotPath(base, 'b'))).toBe(true);
    expect(existsSync(`${slotPath(base, 'a')}.tmp`)).toBe(false);
    const read = await createFlashFile(base, () => null).read();
    expect(read).toMatchObject({ data: { n: 2 }, generation: 2, slot: 'b', damaged: [] });
  });

  it('coalesces saves made while a write is in flight, and every caller sees its data on disk', async () => {
    const data = { n: 0 };
    const base = join(dir.path, 'dev.flash');
    const flash = createFlashFile(base, () => ({ ...data }));
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 20; i += 1) {
      data.n = i;
      saves.push(flash.save());
    }
    await Promise.all(saves);
    const read = await createFlashFile(base, () => null).read();
    expect(read?.data).toEqual({ n: 20 });
    expect(read?.generation).toBeLessThanOrEqual(3); // one write in flight + one coalesced (+ slack)
  });

  it('recovers the last good copy when the newest slot was cut off mid-write', async () => {
    let data: unknown = { hopper: 90 };
    const base = join(dir.path, 'dev.flash');
    const flash = createFlashFile(base, () => data);
    await flash.save(); // slot a, gen 1
    data = { hopper: 85 };
    await flash.save(); // slot b, gen 2
    const b = slotPath(base, 'b');
    truncateSync(b, readFileSync(b).length - 5);
    const reread = createFlashFile(base, () => data);
    const read = await reread.read();
    expect(read?.data).toEqual({ hopper: 90 });
    expect(read?.slot).toBe('a');
    expect(read?.damaged).toEqual([{ slot: 'b', reason: expect.stringMatching(/cut off/) }]);
    // The next write goes over the damaged slot, never over the good one.
    data = { hopper: 80 };
    await reread.save();
    expect((await createFlashFile(base, () => null).read())?.data).toEqual({ hopper: 80 });
    expect(JSON.parse(readFileSync(slotPath(base, 'a'), 'utf8').split('\n')[1] as string)).toEqual({
      hopper: 90,
    });
  });

  it('detects a flipped byte by checksum, and refuses clearly when no slot is good', async () => {
    const base = join(dir.path, 'dev.flash');
    const flash = createFlashFile(base, () => ({ ok: true }));
    await flash.save();
    const a = slotPath(base, 'a');
    writeFileSync(a, readFileSync(a, 'utf8').replace('true', 'ture'));
    await expect(createFlashFile(base, () => null).read()).rejects.toThrow(
      /unreadable: slot a: checksum mismatch/,
    );
  });
});
