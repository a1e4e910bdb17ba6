// Files that hold secrets are private: the data directory 0700, its database, keys and backups
// 0600, whatever the umask and whatever modes a backup archive carries; restore keeps them so.
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupDataDir } from '../../../hub/ops/backup.js';
import { restoreDataDir } from '../../../hub/ops/restore.js';
import { startTestHub } from '../../support/hub.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('file modes of secrets', () => {
  it('the hub makes its data directory private; backups are 0600; restore keeps 0700/0600', async () => {
    const previous = process.umask(0o022);
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'hearth-modes-'));
      chmodSync(dataDir, 0o755);
      mkdirSync(join(dataDir, 'keys'), { mode: 0o755 });
      writeFileSync(join(dataDir, 'keys', 'hub-key.pem'), 'secret', { mode: 0o644 });
      writeFileSync(join(dataDir, 'config.json'), '{}', { mode: 0o644 });
      const t = await startTestHub({ dataDir });
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, 'hearth.db'))).toBe(0o600);
      expect(mode(join(dataDir, 'keys'))).toBe(0o700);
      expect(mode(join(dataDir, 'keys', 'hub-key.pem'))).toBe(0o600);
      expect(mode(join(dataDir, 'config.json'))).toBe(0o600);

      // Loosened by hand after start: the archive then carries 0644 copies.
      chmodSync(join(dataDir, 'keys', 'hub-key.pem'), 0o644);
      chmodSync(join(dataDir, 'config.json'), 0o644);
      const file = join(mkdtempSync(join(tmpdir(), 'hearth-bk-')), 'b.tar.gz');
      await backupDataDir(dataDir, file);
      expect(mode(file)).toBe(0o600);
      await t.cleanup();

      // The restore target starts world-readable and the archive carries 0644 copies: both end private.
      const target = mkdtempSync(join(tmpdir(), 'hearth-restored-'));
      chmodSync(target, 0o755);
      await restoreDataDir(file, target);
      expect(mode(target)).toBe(0o700);
      expect(mode(join(target, 'hearth.db'))).toBe(0o600);
      expect(mode(join(target, 'keys'))).toBe(0o700);
      expect(mode(join(target, 'keys', 'hub-key.pem'))).toBe(0o600);
      expect(mode(join(target, 'config.json'))).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });
});
