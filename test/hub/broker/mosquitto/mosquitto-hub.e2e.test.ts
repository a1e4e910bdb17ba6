// `hearth start --broker mosquitto` as a real process against Debian's mosquitto started here:
// flashed devices connect to mosquitto, commands and a hub-run schedule round-trip, and when the
// hub is killed the devices stay on mosquitto; the hub comes back, reconciles dynamic security
// (a stale Hearth client is deleted) and catches up on what changed while it was away.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../devices/support/plain-broker.js';
import { type HearthProcess, killAll, runHearth, spawnHearth } from '../../../devices/support/processes.js';
import { startTestMosquitto, type TestMosquitto } from '../../../support/mosquitto.js';
import { waitFor } from '../../../support/wait.js';

const run = promisify(execFile);

interface DeviceJson {
  id: string;
  online: boolean;
  reported: Record<string, unknown>;
}

describe('hearth start --broker mosquitto', () => {
  let m: TestMosquitto;
  let dir: ReturnType<typeof tempDir>;
  let hub: HearthProcess;
  let base = '';
  let token = '';

  const startHub = async () => {
    hub = spawnHearth(
      [
        'start',
        ...['--broker', 'mosquitto', '--broker-url', m.url, '--data-dir', join(dir.path, 'hub')],
        ...[
          '--http-port',
          '0',
          '--https-port',
          '0',
          '--bind',
          '127.0.0.1',
          '--no-mdns',
          '--log-level',
          'info',
        ],
      ],
      { HEARTH_BROKER__USERNAME: m.admin.username, HEARTH_BROKER__PASSWORD: m.admin.password },
    );
    const ready = await hub.waitForLine((l) => String(l.msg).startsWith('hub ready'), 'hub ready');
    base = `http://127.0.0.1:${ready.http}`;
  };
  const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetch(base + path, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
  const device = async (id: string) => (await (await api(`/api/v1/devices/${id}`)).json()) as DeviceJson;
  const until = (id: string, check: (d: DeviceJson) => boolean, what: string) =>
    waitFor(async () => ((d) => (check(d) ? d : undefined))(await device(id)), {
      what,
      timeoutMs: 15_000,
      intervalMs: 25,
    });
  const flash = async (model: string) => {
    const out = join(dir.path, `${model}.img`);
    const r = await runHearth([
      'flash',
      model,
      '--name',
      model,
      '--hub',
      base,
      '--token',
      token,
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    return { id: (r.json as { device: { id: string } }).device.id, image: out };
  };
  const ctrl = (...args: string[]) =>
    run('mosquitto_ctrl', [
      '-h',
      '127.0.0.1',
      '-p',
      String(m.port),
      '-u',
      m.admin.username,
      '-P',
      m.admin.password,
      'dynsec',
      ...args,
    ]);

  beforeAll(async () => {
    m = await startTestMosquitto();
    dir = tempDir('hearth-mosquitto-e2e-');
    await startHub();
    const made = await runHearth([
      'tokens',
      'create',
      '--name',
      'e2e',
      '--json',
      '--data-dir',
      join(dir.path, 'hub'),
    ]);
    token = (made.json as { token: string }).token;
  });
  afterAll(async () => {
    await killAll();
    await m.stop();
    dir.remove();
  });

  it('devices connect to mosquitto; commands and a hub-run schedule round-trip; a hub kill loses nothing', async () => {
    const light = await flash('light');
    const sensor = await flash('contact-sensor');
    const devices = spawnHearth([
      'device',
      'run',
      light.image,
      sensor.image,
      '--flash-dir',
      dir.path,
      '--json',
      '--log-level',
      'error',
    ]);
    await until(light.id, (d) => d.online, 'light online');
    await until(sensor.id, (d) => d.online, 'sensor online');

    const cmd = await api(`/api/v1/devices/${light.id}/commands?wait=5000`, {
      method: 'POST',
      json: { capability: 'power', value: true },
    });
    expect(cmd.status).toBe(200);
    expect(await cmd.json()).toMatchObject({ status: 'done' });

    const at = Date.now() + 1500;
    const sched = await api('/api/v1/schedules', {
      method: 'POST',
      json: { deviceId: light.id, command: { capability: 'power', value: false }, at },
    });
    expect(sched.status).toBe(201);
    const { id: scheduleId } = (await sched.json()) as { id: string };
    await until(light.id, (d) => d.reported.power === false, 'the schedule turned the light off');
    const runs = await waitFor(
      async () => {
        const r = (await (await api(`/api/v1/schedules/${scheduleId}/runs`)).json()) as { runs: unknown[] };
        return r.runs.length > 0 ? r.runs : undefined;
      },
      { what: 'the run logged' },
    );
    expect(runs).toHaveLength(1);

    // A stale Hearth client in mosquitto (one this hub no longer knows): the restart removes it.
    const admin = await mqtt.connectAsync(m.url, { username: m.admin.username, password: m.admin.password });
    await admin.publishAsync(
      '$CONTROL/dynamic-security/v1',
      JSON.stringify({
        commands: [
          { command: 'createClient', username: 'tv-stale', password: 'x', textdescription: 'hearth device' },
        ],
      }),
      { qos: 1 },
    );
    await admin.endAsync();
    await waitFor(async () => (await ctrl('listClients')).stdout.includes('tv-stale'), {
      what: 'the stale client',
    });

    // The hub dies; its will marks it offline, and the devices stay connected to mosquitto.
    const hubStatus: string[] = [];
    const sensorStates: string[] = [];
    const watcher = await mqtt.connectAsync(m.url, {
      username: m.admin.username,
      password: m.admin.password,
    });
    watcher.on('message', (t, p) => (t.endsWith('/state') ? sensorStates : hubStatus).push(p.toString()));
    await watcher.subscribeAsync(['hearth/hub/status', `hearth/dev/${sensor.id}/state`]);
    hub.child.kill('SIGKILL');
    await hub.exited;
    await waitFor(() => hubStatus.at(-1) === 'offline', { what: 'the hub will' });
    devices.send({ device: sensor.id, sense: { contact: false } });
    await waitFor(() => sensorStates.some((s) => s.includes('"contact":false')), {
      what: 'the sensor reporting to mosquitto while the hub is away',
    });
    await watcher.endAsync();

    await startHub();
    await until(
      sensor.id,
      (d) => d.online && d.reported.contact === false,
      'the hub caught up with the sensor',
    );
    expect((await device(light.id)).online).toBe(true);
    const again = await api(`/api/v1/devices/${light.id}/commands?wait=5000`, {
      method: 'POST',
      json: { capability: 'power', value: true },
    });
    expect(await again.json()).toMatchObject({ status: 'done' });
    const listed = (await ctrl('listClients')).stdout;
    expect(listed).not.toContain('tv-stale');
    expect(listed).toContain(light.id);
    expect(devices.stdout()).not.toMatch(/"disconnected"/);
    devices.child.kill('SIGTERM');
  });

  it('hearth tokens create and mqtt-users add on the data directory provision mosquitto themselves', async () => {
    const env = {
      HEARTH_BROKER__MODE: 'mosquitto',
      HEARTH_BROKER__URL: m.url,
      HEARTH_BROKER__USERNAME: m.admin.username,
      HEARTH_BROKER__PASSWORD: m.admin.password,
    };
    const dataDir = join(dir.path, 'hub');
    const made = await runHearth(
      ['tokens', 'create', '--name', 'cli-reader', '--role', 'member', '--json', '--data-dir', dataDir],
      env,
    );
    expect(made.code, made.stderr).toBe(0);
    const { token: cliToken, id } = made.json as { token: string; id: string };
    expect(made.stderr).toContain(`username token-${id}`);
    const reader = await mqtt.connectAsync(m.url, {
      username: `token-${id}`,
      password: cliToken,
      reconnectPeriod: 0,
    });
    expect((await reader.subscribeAsync('hearth/dev/+/state'))[0]?.qos).toBe(0);
    await reader.endAsync();
    const user = await runHearth(
      ['mqtt-users', 'add', 'ha', '--sub', 'hearth/dev/+/state', '--json', '--data-dir', dataDir],
      env,
    );
    expect(user.code, user.stderr).toBe(0);
    const { password } = user.json as { password: string };
    const ha = await mqtt.connectAsync(m.url, { username: 'ha', password, reconnectPeriod: 0 });
    await ha.endAsync();
  });
});
