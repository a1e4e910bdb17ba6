import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { integrityCheck } from '../../../hub/ops/backup.js';

// A writer that does what the hub does under load (batched transactions through openStore) and
// reports each committed batch on stdout.
const writer = `
import { openStore } from ${JSON.stringify(join(import.meta.dirname, '../../../dist/hub/store/db.js'))};
const store = openStore(process.argv[1]);
const insert = store.sqlite.prepare('INSERT INTO events (device_id, type, data, at) VALUES (?, ?, ?, ?)');
let n = 0;
for (;;) {
  store.sqlite.transaction(() => { for (let i = 0; i < 200; i++) insert.run('d', 'fed', JSON.stringify({ n: n + i, pad: 'x'.repeat(200) }), Date.now()); })();
  n += 200;
  process.stdout.write(n + '\\n');
}
`;

describe('power-cut safety', () => {
  it('survives SIGKILL during heavy writes, again and again: intact, and every reported commit kept', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hearth-cut-')), 'hearth.db');
    let committed = 0;
    for (let round = 0; round < 12; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', writer, path], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let reported = 0;
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          const last = Number(d.toString().trim().split('\n').at(-1));
          if (last > reported) reported = last;
          // Kill at a different point each round, mid-stream.
          if (reported >= 400 * (1 + (round % 4))) child.kill('SIGKILL');
        });
        child.once('exit', () => resolve());
      });
      expect(integrityCheck(path)).toBe('ok');
      const db = new Database(path);
      const rows = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      db.close();
      expect(rows).toBeGreaterThanOrEqual(committed + reported);
      committed = rows;
    }
  });
});
