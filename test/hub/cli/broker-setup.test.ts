// `hearth broker setup` end to end: its snippet and dynamic-security file start Debian's mosquitto,
// and the hub, with only the config.json it wrote, connects to that mosquitto as its broker.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../hub/drills/cloud-broker.js';
import { createHub } from '../../../hub/hub.js';
import { loadConfig } from '../../../hub/infra/config.js';
import { tempDir } from '../../devices/support/plain-broker.js';
import { runHearth } from '../../devices/support/processes.js';

describe('hearth broker setup', () => {
  const dir = tempDir('hearth-broker-setup-');
  let mosquitto: ChildProcess | undefined;
  afterAll(async () => {
    if (mosquitto) {
      const gone = new Promise((r) => mosquitto?.once('exit', r));
      mosquitto.kill('SIGTERM');
      await gone;
    }
    dir.remove();
  });

  it('writes a mosquitto that the hub then uses, and says the one restart to run', async () => {
    chmodSync(dir.path, 0o777);
    const port = await freePort();
    const dataDir = join(dir.path, 'hub');
    const args = ['broker', 'setup', '--data-dir', dataDir, '--conf-dir', dir.path, '--state-dir', dir.path];
    const r = await runHearth([
      ...args,
      '--certs-dir',
      dir.path,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('sudo systemctl restart mosquitto');
    const snippet = readFileSync(join(dir.path, 'hearth.conf'), 'utf8');
    expect(snippet).toMatch(/allow_anonymous false/);
    expect(snippet).toContain('mosquitto_dynamic_security.so');
    chmodSync(join(dir.path, 'dynamic-security.json'), 0o666);

    const again = await runHearth(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists.*--force/);

    mosquitto = spawn('mosquitto', ['-c', join(dir.path, 'hearth.conf')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      mosquitto?.stderr?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes(' running')) resolve();
      });
      mosquitto?.once('exit', (code) => reject(new Error(`mosquitto exited ${code}: ${out}`)));
    });
    const config = loadConfig({
      flags: {
        dataDir,
        httpPort: 0,
        httpsPort: 0,
        bind: '127.0.0.1',
        logLevel: 'silent',
        mdns: { enabled: false },
      },
      env: {},
    });
    expect(config.broker).toMatchObject({
      mode: 'mosquitto',
      url: `mqtt://127.0.0.1:${port}`,
      username: 'hearth-hub',
    });
    expect(existsSync(join(dataDir, 'config.json'))).toBe(true);
    const hub = createHub(config, { pairingOutput: null });
    await hub.start();
    expect(hub.ports.mqtt).toBe(port);
    await hub.stop();
  });
});
