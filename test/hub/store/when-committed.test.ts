import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store, storePath } from '../../../hub/store/db.js';

// A scheduler tick issues many commands in one transaction; each is published only once that
// transaction has committed, so a crash never leaves a device acting on an unrecorded command.
describe('whenCommitted: nothing leaves before its record is durable', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-store-'));
    store = openStore(storePath(dir));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const setting = (key: string) =>
    store.sqlite.prepare("INSERT INTO settings (key, value) VALUES (?, '1')").run(key);
  const has = (key: string) =>
    store.sqlite.prepare('SELECT 1 FROM settings WHERE key = ?').get(key) !== undefined;

  it('runs at once outside a transaction', () => {
    const ran: string[] = [];
    store.hot.whenCommitted(() => ran.push('now'));
    expect(ran).toEqual(['now']);
  });

  it('inside nested transactions, runs after the outermost commit, when the rows are visible', () => {
    const seen: boolean[] = [];
    store.hot.atomically(() => {
      setting('outer');
      store.hot.atomically(() => {
        setting('inner');
        store.hot.whenCommitted(() => seen.push(has('inner') && !store.sqlite.inTransaction));
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([true]);
  });

  it('never runs when the transaction rolls back', () => {
    const ran: string[] = [];
    expect(() =>
      store.hot.atomically(() => {
        setting('doomed');
        store.hot.whenCommitted(() => ran.push('sent'));
        throw new Error('crash mid-batch');
      }),
    ).toThrow('crash mid-batch');
    expect(ran).toEqual([]);
    expect(has('doomed')).toBe(false);
    store.hot.atomically(() => setting('next'));
    store.hot.whenCommitted(() => ran.push('later'));
    expect(ran).toEqual(['later']);
  });
});
