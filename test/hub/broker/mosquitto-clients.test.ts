import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

const run = promisify(execFile);

/** Debian's mosquitto_pub/mosquitto_sub: MQTT clients nobody on this team wrote. */
describe('third-party MQTT clients see exactly what the ACL allows', () => {
  let t: TestHub;
  let a: { id: string; secret: string };
  let b: { id: string; secret: string };
  beforeAll(async () => {
    t = await startTestHub();
    const da = await t.connectDevice('tv');
    const db = await t.connectDevice('tv');
    await Promise.all([da.client.endAsync(), db.client.endAsync()]);
    a = { id: da.id, secret: da.secret };
    b = { id: db.id, secret: db.secret };
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const auth = (d: { id: string; secret: string }) => [
    '-h',
    '127.0.0.1',
    '-p',
    String(t.hub.ports.mqtt),
    '-i',
    d.id,
    '-u',
    d.id,
    '-P',
    d.secret,
  ];

  it('mosquitto_pub publishes a device state the hub accepts', async () => {
    const state = JSON.stringify({ seq: 1, ts: Date.now(), values: { power: true, channel: 4 } });
    await run('mosquitto_pub', [...auth(a), '-q', '1', '-t', `hearth/dev/${a.id}/state`, '-m', state]);
    await waitFor(() => t.hub.context.registry.get(a.id)?.reported.channel === 4, {
      what: 'state from mosquitto_pub',
    });
  });

  it("mosquitto_sub receives its own commands but is refused another device's", async () => {
    const sub = spawn('mosquitto_sub', [
      ...auth(a),
      '-d',
      '-q',
      '1',
      '-v',
      '-C',
      '1',
      '-t',
      `hearth/dev/${a.id}/cmd`,
      '-t',
      `hearth/dev/${b.id}/cmd`,
    ]);
    let out = '';
    let err = '';
    sub.stdout.on('data', (d) => (out += d));
    sub.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number>((r) => sub.once('exit', (code) => r(code ?? -1)));
    // The hub counts a device online once it subscribes to its own cmd topic.
    await waitFor(() => t.hub.context.registry.get(a.id)?.online, { what: 'online after subscribing' });
    await t.api(`/api/v1/devices/${b.id}/commands?wait=0`, {
      method: 'POST',
      json: { capability: 'power', value: true },
    });
    await t.api(`/api/v1/devices/${a.id}/commands?wait=0`, {
      method: 'POST',
      json: { capability: 'power', value: true },
    });
    const code = await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-1), 15_000))]);
    sub.kill('SIGKILL');
    expect(code).toBe(0);
    // -d prints the SUBACK: one grant of QoS 1 and one refusal (128).
    expect(out + err).toMatch(/Subscribed \(mid: \d+\): 1, 128/);
    const messages = out.split('\n').filter((l) => l.startsWith('hearth/'));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`hearth/dev/${a.id}/cmd`);
    expect(messages.join('')).not.toContain(b.id);
  });

  it("mosquitto_pub into another device's topic is cut off and changes nothing", async () => {
    const forged = JSON.stringify({ seq: 50, ts: Date.now(), values: { power: true } });
    await run('mosquitto_pub', [...auth(a), '-q', '1', '-t', `hearth/dev/${b.id}/state`, '-m', forged]).catch(
      () => undefined,
    );
    expect(t.hub.context.registry.get(b.id)?.reportedSeq).toBe(-1);
  });

  it('mosquitto_sub with a wrong secret is refused', async () => {
    await expect(
      run('mosquitto_sub', [
        '-h',
        '127.0.0.1',
        '-p',
        String(t.hub.ports.mqtt),
        '-i',
        a.id,
        '-u',
        a.id,
        '-P',
        'wrong',
        '-t',
        `hearth/dev/${a.id}/cmd`,
        '-C',
        '1',
        '-W',
        '5',
      ]),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/not authori[sz]ed|bad user name|refused/i) });
  });
});
