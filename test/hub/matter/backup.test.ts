// The Matter fabrics live in <data-dir>/matter (one folder down, matter.js's own layout): a backup
// carries them and a restore puts them back, so Apple Home and the others keep the bridge.
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupDataDir } from '../../../hub/ops/backup.js';
import { restoreDataDir } from '../../../hub/ops/restore.js';
import { startTestHub } from '../../support/hub.js';

describe('Matter fabric data in backups', () => {
  it('is backed up with the database and restored private', async () => {
    const t = await startTestHub();
    const fabricFile = join('matter', 'hearth', 'root.operationalCredentials.fabrics');
    try {
      mkdirSync(join(t.dataDir, 'matter', 'hearth'), { recursive: true });
      writeFileSync(join(t.dataDir, fabricFile), '{"fabric":1}');
      writeFileSync(join(t.dataDir, 'matter', 'pairing.json'), '{"enabled":true}');
      const file = join(mkdtempSync(join(tmpdir(), 'hearth-bk-')), 'b.tar.gz');
      const manifest = await backupDataDir(t.dataDir, file);
      expect(Object.keys(manifest.files)).toEqual(
        expect.arrayContaining(['matter/pairing.json', 'matter/hearth/root.operationalCredentials.fabrics']),
      );
      await t.cleanup();
      const target = mkdtempSync(join(tmpdir(), 'hearth-restored-'));
      const restored = await restoreDataDir(file, target);
      expect(restored.restoredFiles).toContain('matter');
      expect(readFileSync(join(target, fabricFile), 'utf8')).toBe('{"fabric":1}');
      expect(statSync(join(target, fabricFile)).mode & 0o077).toBe(0);
    } finally {
      await t.cleanup().catch(() => undefined);
    }
  });
});
