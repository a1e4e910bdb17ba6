import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../hub/infra/config.js';
import { runDoctor } from '../../../hub/ops/doctor.js';
import { startTestHub } from '../../support/hub.js';

const config = (dataDir: string, extra: Record<string, unknown> = {}) =>
  loadConfig({
    flags: {
      dataDir,
      bind: '127.0.0.1',
      httpPort: 0,
      mqttPort: 0,
      httpsPort: 0,
      mqttTlsPort: 0,
      mdns: { enabled: false },
      ...extra,
    },
    env: {},
  });
const find = (findings: Awaited<ReturnType<typeof runDoctor>>, id: string) =>
  findings.find((f) => f.id === id);

describe('hearth doctor', () => {
  it('passes on a healthy running hub, reaching its broker', async () => {
    const t = await startTestHub();
    try {
      const findings = await runDoctor(
        config(t.dataDir, { httpPort: t.hub.ports.http, mqttPort: t.hub.ports.mqtt }),
      );
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(find(findings, 'broker')?.message).toMatch(/answers/);
      expect(find(findings, 'port-http')?.message).toMatch(/held by this hub/);
    } finally {
      await t.cleanup();
    }
  });

  it('finds a port taken by another program, with the fix', async () => {
    const other = createServer();
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const port = (other.address() as { port: number }).port;
    try {
      const f = find(
        await runDoctor(config(mkdtempSync(join(tmpdir(), 'hearth-doc-')), { httpPort: port })),
        'port-http',
      );
      expect(f).toMatchObject({ ok: false, severity: 'error' });
      expect(f?.message).toContain(`port ${port} (http) is taken`);
      expect(f?.fix).toMatch(/--http-port/);
    } finally {
      other.close();
    }
  });

  it('finds a data directory that cannot be written', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hearth-doc-')), 'not-a-dir');
    writeFileSync(path, 'a file where the data directory should be');
    const f = find(await runDoctor(config(path)), 'data-dir');
    expect(f).toMatchObject({ ok: false, severity: 'error' });
    expect(f?.fix).toBeTruthy();
  });

  it('finds a corrupt database and points at the backups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-doc-'));
    writeFileSync(
      join(dir, 'hearth.db'),
      Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(8192, 0xab)]),
    );
    const f = find(await runDoctor(config(dir)), 'database');
    expect(f).toMatchObject({ ok: false, severity: 'error' });
    expect(f?.fix).toMatch(/hearth restore/);
  });
});
