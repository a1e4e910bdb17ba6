// The device's last will, end to end with real processes: a simulated TV (`hearth device run`)
// killed with SIGKILL, and Debian's mosquitto_sub reading its status with a token, as any MQTT
// tool in the home would. The API and every MQTT reader must agree that it is offline. In both
// broker modes: on mosquitto the will is mosquitto's, and the hub learns it from the retained status.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../devices/support/plain-broker.js';
import { killAll, runHearth, spawnHearth } from '../../devices/support/processes.js';
import { BROKER_MODES, startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

const run = promisify(execFile);

describe.each(BROKER_MODES)('a killed device is offline for every MQTT reader (%s broker)', (mode) => {
  let t: TestHub;
  let dir: ReturnType<typeof tempDir>;
  const subs: ChildProcess[] = [];
  beforeAll(async () => {
    t = await startTestHub({ broker: mode });
    dir = tempDir('hearth-will-');
  });
  afterAll(async () => {
    for (const s of subs) s.kill();
    await killAll();
    await t.cleanup();
    dir.remove();
  });

  const tokenArgs = () => {
    const login = t.tokenLogin(t.token);
    return ['-h', '127.0.0.1', '-p', String(t.hub.ports.mqtt), '-u', login.username, '-P', login.password];
  };

  it('SIGKILL of a simulated TV → mosquitto_sub receives a retained offline within 5 s; the API agrees', async () => {
    const image = join(dir.path, 'tv.img');
    const flashed = await runHearth([
      'flash',
      'tv',
      '--name',
      'Den TV',
      '--hub',
      t.baseUrl,
      '--token',
      t.token,
      '--out',
      image,
      '--json',
    ]);
    expect(flashed.code, flashed.stderr).toBe(0);
    const id = (flashed.json as { device: { id: string } }).device.id;
    const device = spawnHearth([
      'device',
      'run',
      image,
      '--flash-dir',
      dir.path,
      '--json',
      '--log-level',
      'error',
    ]);
    const online = async () =>
      ((await (await t.api(`/api/v1/devices/${id}`)).json()) as { online: boolean }).online;
    await waitFor(online, { what: 'TV online', timeoutMs: 15_000 });

    const sub = spawn('mosquitto_sub', [
      ...tokenArgs(),
      '-i',
      'status-watcher',
      '-q',
      '1',
      '-v',
      '-t',
      `hearth/dev/${id}/status`,
    ]);
    subs.push(sub);
    let out = '';
    sub.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await waitFor(() => out.includes(`hearth/dev/${id}/status online`), {
      what: 'online seen by mosquitto_sub',
    });

    const killedAt = Date.now();
    device.child.kill('SIGKILL');
    await waitFor(() => out.includes(`hearth/dev/${id}/status offline`), {
      what: 'offline (the will) seen by mosquitto_sub',
      timeoutMs: 5000,
    });
    expect(Date.now() - killedAt).toBeLessThan(5000);
    await waitFor(async () => !(await online()), { what: 'API says offline' });

    // A reader that arrives later gets it as the retained status.
    const later = await run('mosquitto_sub', [
      ...tokenArgs(),
      '-C',
      '1',
      '-W',
      '5',
      '-F',
      '%r %p',
      '-t',
      `hearth/dev/${id}/status`,
    ]);
    expect(later.stdout.trim()).toBe('1 offline');
  });
});
