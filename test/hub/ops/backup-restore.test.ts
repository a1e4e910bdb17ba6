import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { backupDataDir, integrityCheck } from '../../../hub/ops/backup.js';
import { pruneBackups } from '../../../hub/ops/nightly-backup.js';
import { restoreDataDir } from '../../../hub/ops/restore.js';
import { startTestHub } from '../../support/hub.js';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

describe('backup and restore', () => {
  it('backs up a consistent copy while the hub keeps writing, and restores it', async () => {
    const t = await startTestHub();
    writeFileSync(join(t.dataDir, 'config.json'), JSON.stringify({ hubName: 'kitchen-pi' }));
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const res = await t.api('/api/v1/devices', {
          method: 'POST',
          json: { name: `lamp ${written}`, model: 'light' },
        });
        if (res.status === 201) written++;
      }
    })();
    while (written < 20) await new Promise((r) => setImmediate(r));
    const file = join(tmp('hearth-bk-'), 'b.tar.gz');
    const manifest = await backupDataDir(t.dataDir, file);
    const atBackup = written;
    while (written < atBackup + 20) await new Promise((r) => setImmediate(r));
    writing = false;
    await writer;
    await t.cleanup();
    // The hub CA travels with the database: phones and devices keep trusting a restored hub.
    expect(Object.keys(manifest.files).sort()).toEqual([
      'config.json',
      'hearth.db',
      'tls/ca.crt',
      'tls/ca.key',
      'tls/leaf.crt',
      'tls/leaf.json',
      'tls/leaf.key',
      'tls/ticket-keys',
    ]);

    const target = tmp('hearth-restored-');
    const r = await restoreDataDir(file, target);
    expect(r.previous).toBeNull();
    expect(integrityCheck(join(target, 'hearth.db'))).toBe('ok');
    const db = new Database(join(target, 'hearth.db'), { readonly: true });
    const devices = (db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;
    const orphans = (
      db
        .prepare(
          'SELECT count(*) AS n FROM devices d LEFT JOIN device_state s ON s.device_id = d.id WHERE s.device_id IS NULL',
        )
        .get() as { n: number }
    ).n;
    db.close();
    // A snapshot from the middle of the writes: everything before it, nothing half-written.
    expect(devices).toBeGreaterThanOrEqual(20);
    expect(devices).toBeLessThan(atBackup + 20);
    expect(orphans).toBe(0);
    expect(JSON.parse(execFileSync('cat', [join(target, 'config.json')], { encoding: 'utf8' }))).toEqual({
      hubName: 'kitchen-pi',
    });

    // A second restore keeps what it replaces.
    const again = await restoreDataDir(file, target);
    expect(again.previous).not.toBeNull();
    expect(readdirSync(again.previous as string)).toContain('hearth.db');
  });

  it('refuses to restore over a running hub, changing nothing', async () => {
    const t = await startTestHub();
    try {
      const file = join(tmp('hearth-bk-'), 'b.tar.gz');
      await backupDataDir(t.dataDir, file);
      const before = readdirSync(t.dataDir).sort();
      await expect(restoreDataDir(file, t.dataDir)).rejects.toThrow(/a hub is running on .* stop it first/);
      expect(readdirSync(t.dataDir).sort()).toEqual(before);
    } finally {
      await t.cleanup();
    }
  });

  it('refuses a file that is not a backup, and a backup whose database was tampered with', async () => {
    const target = tmp('hearth-target-');
    const junk = join(tmp('hearth-junk-'), 'junk.tar.gz');
    writeFileSync(junk, 'definitely not a tarball');
    await expect(restoreDataDir(junk, target)).rejects.toThrow(/not a Hearth backup/);
    await expect(restoreDataDir(join(target, 'missing.tar.gz'), target)).rejects.toThrow(/does not exist/);

    const t = await startTestHub();
    const file = join(tmp('hearth-bk-'), 'b.tar.gz');
    await backupDataDir(t.dataDir, file);
    await t.cleanup();
    const unpacked = tmp('hearth-tamper-');
    execFileSync('tar', ['-xzf', file, '-C', unpacked]);
    writeFileSync(join(unpacked, 'hearth.db'), Buffer.alloc(4096, 7));
    const tampered = join(tmp('hearth-bk-'), 'tampered.tar.gz');
    execFileSync('tar', ['-czf', tampered, '-C', unpacked, '.']);
    await expect(restoreDataDir(tampered, target)).rejects.toThrow(/hearth\.db does not match its checksum/);
    expect(existsSync(join(target, 'hearth.db'))).toBe(false);
  });

  it('keeps only the newest nightly backups', () => {
    const dir = tmp('hearth-nightly-');
    for (const day of ['01', '02', '03', '04', '05'])
      writeFileSync(join(dir, `hearth-backup-2026-11-${day}T03-00-00-000Z.tar.gz`), '');
    writeFileSync(join(dir, 'notes.txt'), '');
    expect(pruneBackups(dir, 3)).toHaveLength(2);
    expect(readdirSync(dir).sort()).toEqual([
      'hearth-backup-2026-11-03T03-00-00-000Z.tar.gz',
      'hearth-backup-2026-11-04T03-00-00-000Z.tar.gz',
      'hearth-backup-2026-11-05T03-00-00-000Z.tar.gz',
      'notes.txt',
    ]);
  });
});
