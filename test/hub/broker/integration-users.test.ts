// Integration users on MQTT, driven by Debian's mosquitto clients and mqtt.js against a real hub,
// in both broker modes: publishes inside their filters arrive, anything outside (or on Hearth's
// own topics) is refused — the embedded broker ends the connection, mosquitto acknowledges and
// drops it (MQTT-3.3.5-2 allows either) —, subscriptions outside their filters get SUBACK 0x80,
// and removal ends sessions.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHearth } from '../../devices/support/processes.js';
import { scriptDevice } from '../../support/device-client.js';
import { BROKER_MODES, startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

const run = promisify(execFile);

describe.each(BROKER_MODES)('integration users on MQTT (%s broker)', (mode) => {
  let t: TestHub;
  let password = '';
  beforeAll(async () => {
    t = await startTestHub({ broker: mode });
    const res = await t.api('/api/v1/mqtt-users', {
      method: 'POST',
      json: { name: 'ha', sub: ['hearth/dev/+/state'], pub: ['homeassistant/#', 'hearth/#'] },
    });
    expect(res.status).toBe(201);
    password = ((await res.json()) as { password: string }).password;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const pub = (topic: string) =>
    run('mosquitto_pub', [
      ...['-h', '127.0.0.1', '-p', String(t.hub.ports.mqtt), '-i', 'ha-pub', '-u', 'ha', '-P', password],
      ...['-q', '1', '-t', topic, '-m', 'hello'],
    ]).then(
      () => 'sent',
      (err: { stderr?: string }) => `refused: ${err.stderr ?? ''}`,
    );

  /** Everything published live on the broker (mosquitto: read as its admin, which may read it all). */
  const watchAll = async (seen: string[]) => {
    const keep = (topic: string) => {
      if (!topic.startsWith('hearth/hub/') && !topic.startsWith('$')) seen.push(topic);
    };
    if (!t.mosquitto) return void (await t.hub.context.messaging.subscribe('#', keep));
    const admin = await mqtt.connectAsync(t.mqttUrl, { ...t.mosquitto.admin, reconnectPeriod: 0 });
    admin.on('message', (topic, _payload, packet) => packet.retain || keep(topic)); // live ones only
    await admin.subscribeAsync('#', { qos: 1 });
    return admin;
  };

  it(`publishes on its filters (mosquitto_pub); outside them and on Hearth topics it is ${mode === 'embedded' ? 'disconnected' : 'acknowledged and dropped'}`, async () => {
    const seen: string[] = [];
    const watcher = await watchAll(seen);
    expect(await pub('homeassistant/switch/tv/config')).toBe('sent');
    await waitFor(() => seen.includes('homeassistant/switch/tv/config'), { what: 'the integration publish' });
    // hearth/# is in its pub filters, yet Hearth's topics stay the hub's and the devices'.
    for (const topic of ['nodered/x', 'hearth/dev/tv-1/cmd', 'hearth/dev/tv-1/state', 'hearth/hub/status'])
      expect(await pub(topic), topic).toMatch(mode === 'embedded' ? /^refused/ : /^sent$/);
    // A later publish of its own arrives after any of those would have.
    expect(await pub('homeassistant/marker')).toBe('sent');
    await waitFor(() => seen.includes('homeassistant/marker'), { what: 'the marker' });
    await watcher?.endAsync();
    expect(
      seen.filter((s) => s !== 'homeassistant/switch/tv/config' && s !== 'homeassistant/marker'),
      seen.join(),
    ).toEqual([]);
    const wrong = await run('mosquitto_pub', [
      ...[
        '-h',
        '127.0.0.1',
        '-p',
        String(t.hub.ports.mqtt),
        '-u',
        'ha',
        '-P',
        'nope',
        '-t',
        'homeassistant/x',
      ],
      '-m',
      'x',
    ]).then(
      () => 'sent',
      (e: { stderr?: string }) => e.stderr ?? 'refused',
    );
    expect(wrong).toMatch(/not authori[sz]ed|bad user ?name or password|refused/i);
  });

  it('subscribes only within its filters, reads device state, and is cut off when removed', async () => {
    const client: MqttClient = await mqtt.connectAsync(t.mqttUrl, {
      clientId: 'ha-sub',
      username: 'ha',
      password,
      reconnectPeriod: 0,
    });
    const codes = await client.subscribeAsync(['hearth/dev/+/state', 'hearth/dev/+/cmd', '#']).then(
      (g) => g.map((x) => x.qos),
      (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
    );
    expect(codes).toEqual([0, 128, 128]);
    const got: string[] = [];
    client.on('message', (topic) => got.push(topic));
    const tv = await t.connectDevice('tv');
    const device = await scriptDevice(tv.id, tv.client);
    await device.announce();
    await waitFor(() => got.includes(`hearth/dev/${tv.id}/state`), {
      what: 'the tv state at the integration',
    });
    const closed = new Promise<number>((resolve) => client.once('close', () => resolve(Date.now())));
    const t0 = Date.now();
    expect((await t.api('/api/v1/mqtt-users/ha', { method: 'DELETE' })).status).toBe(200);
    expect((await closed) - t0).toBeLessThan(1000);
    expect(await pub('homeassistant/x')).toMatch(/^refused/);
  });
});

describe('hearth mqtt-users on the data directory', () => {
  it('hearth mqtt-users add/list/remove work on the data directory, with --json', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-mqtt-users-'));
    const added = await runHearth([
      ...['mqtt-users', 'add', 'nodered', '--sub', 'hearth/dev/+/state', '--pub', 'nodered/#'],
      ...['--json', '--data-dir', dataDir],
    ]);
    expect(added.code, added.stderr).toBe(0);
    const created = JSON.parse(added.stdout) as { name: string; password: string; pub: string[] };
    expect(created).toMatchObject({ name: 'nodered', pub: ['nodered/#'] });
    expect(created.password.length).toBeGreaterThan(20);
    const bad = await runHearth(['mqtt-users', 'add', 'x', '--pub', 'a/#/b', '--data-dir', dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/filter/);
    expect((await runHearth(['mqtt-users', 'list', '--data-dir', dataDir])).stdout).toMatch(
      /nodered\s+pub nodered\/#/,
    );
    expect((await runHearth(['mqtt-users', 'remove', 'nodered', '--data-dir', dataDir])).code).toBe(0);
    expect((await runHearth(['mqtt-users', 'list', '--data-dir', dataDir])).stdout).toMatch(/no MQTT users/);
  });
});
