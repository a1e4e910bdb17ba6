// `hearth bridge add|list|remove` on a data directory's config file (a real process): the entry is
// validated, written private (it holds a password), listed without the password, and removed.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../hub/infra/config.js';
import { runHearth } from '../../devices/support/processes.js';

describe('hearth bridge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bridge-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds, lists, refuses bad input, and removes a bridge', async () => {
    const add = await runHearth(
      [
        'bridge',
        'add',
        'mqtt://192.168.1.10:1883',
        '--name',
        'ha',
        '--username',
        'hearth',
        '--data-dir',
        dir,
      ],
      { HEARTH_BRIDGE_PASSWORD: 'pw' },
    );
    expect(add.code, add.stderr).toBe(0);
    const path = join(dir, 'config.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadConfig({ flags: { dataDir: dir }, env: {} }).bridges).toMatchObject([
      { name: 'ha', url: 'mqtt://192.168.1.10:1883', username: 'hearth', password: 'pw', consume: true },
    ]);
    const list = await runHearth(['bridge', 'list', '--json', '--data-dir', dir]);
    expect(JSON.parse(list.stdout)).toEqual([expect.not.objectContaining({ password: expect.anything() })]);
    const dup = await runHearth(['bridge', 'add', 'mqtt://x:1', '--name', 'ha', '--data-dir', dir]);
    expect(dup.code).not.toBe(0);
    const bad = await runHearth(['bridge', 'add', 'http://x', '--data-dir', dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/mqtt:\/\/host:port/);
    expect(JSON.parse(readFileSync(path, 'utf8')).bridges).toHaveLength(1);
    const rm = await runHearth(['bridge', 'remove', 'ha', '--data-dir', dir]);
    expect(rm.code).toBe(0);
    expect(loadConfig({ flags: { dataDir: dir }, env: {} }).bridges).toEqual([]);
  });
});
