// The hub moves its WAL into the database on a timer, so no command waits on a checkpoint's fsync:
// a real SQLite file on fake timers.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HubContext } from '../../../hub/core/context.js';
import { CHECKPOINT_INTERVAL_MS, createCheckpointer } from '../../../hub/store/checkpointer.js';
import { testContext } from '../../support/context.js';

let dataDir: string;
let ctx: HubContext;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  dataDir = mkdtempSync(join(tmpdir(), 'hearth-ckpt-'));
  ctx = testContext({ dataDir });
});

afterEach(() => {
  ctx.store.close();
  vi.useRealTimers();
  rmSync(dataDir, { recursive: true, force: true });
});

const checkpoints = () => Number(/hearth_db_checkpoints_total (\d+)/.exec(ctx.metrics.render())?.[1] ?? 0);
/** Frames in the WAL not yet copied into the database file. */
const pendingFrames = () => {
  const [r] = ctx.store.sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{
    log: number;
    checkpointed: number;
  }>;
  return (r?.log ?? 0) - (r?.checkpointed ?? 0);
};

describe('WAL checkpointer', () => {
  it('checkpoints what was written within one interval, and does nothing while nothing is written', () => {
    const unit = createCheckpointer(ctx);
    unit.start();
    const insert = ctx.store.sqlite.prepare(
      'INSERT INTO events (device_id, type, data, at) VALUES (?, ?, ?, ?)',
    );
    for (let i = 0; i < 200; i++) insert.run('tv-1', 'button', '{"key":"up"}', i);
    expect(statSync(join(dataDir, 'hearth.db-wal')).size).toBeGreaterThan(0);

    vi.advanceTimersByTime(CHECKPOINT_INTERVAL_MS);
    expect(checkpoints()).toBe(1);
    expect(ctx.metrics.render()).toMatch(/hearth_db_checkpoint_last_ms \d/);

    vi.advanceTimersByTime(CHECKPOINT_INTERVAL_MS * 4);
    expect(checkpoints()).toBe(1);

    insert.run('tv-1', 'button', '{"key":"down"}', 201);
    vi.advanceTimersByTime(CHECKPOINT_INTERVAL_MS);
    expect(checkpoints()).toBe(2);
    expect(pendingFrames()).toBe(0);
    unit.stop();
  });

  it('stops with the hub', () => {
    const unit = createCheckpointer(ctx);
    unit.start();
    unit.stop();
    ctx.store.sqlite
      .prepare('INSERT INTO events (device_id, type, data, at) VALUES (?, ?, ?, ?)')
      .run('tv-1', 'x', '{}', 1);
    vi.advanceTimersByTime(CHECKPOINT_INTERVAL_MS * 3);
    expect(checkpoints()).toBe(0);
  });
});
