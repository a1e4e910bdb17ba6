import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_MODES, startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

const run = promisify(execFile);

/** Debian's mosquitto_pub/mosquitto_sub: MQTT clients nobody on this team wrote, in both broker modes. */
describe.each(BROKER_MODES)(
  'third-party MQTT clients see exactly what the ACL allows (%s broker)',
  (mode) => {
    let t: TestHub;
    let a: { id: string; secret: string };
    let b: { id: string; secret: string };
    beforeAll(async () => {
      t = await startTestHub({ broker: mode });
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
      // Online as firmware says it (on mosquitto, presence is the retained status alone).
      await run('mosquitto_pub', [
        ...auth(a),
        '-q',
        '1',
        '-r',
        '-t',
        `hearth/dev/${a.id}/status`,
        '-m',
        'online',
      ]);
      // Line-buffered, so its SUBACK line arrives as it is printed.
      const sub = spawn('stdbuf', [
        '-oL',
        'mosquitto_sub',
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
      // With -d it prints the SUBACK: its subscriptions are in place.
      await waitFor(() => /Subscribed \(mid/.test(out + err), { what: 'the SUBACK' });
      await waitFor(() => t.hub.context.registry.get(a.id)?.online, { what: 'the device online' });
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

    // Cut off by the embedded broker, acknowledged and dropped by mosquitto (MQTT-3.3.5-2 allows either).
    it("mosquitto_pub into another device's topic is refused and changes nothing", async () => {
      const forged = JSON.stringify({ seq: 50, ts: Date.now(), values: { power: true } });
      await run('mosquitto_pub', [
        ...auth(a),
        '-q',
        '1',
        '-t',
        `hearth/dev/${b.id}/state`,
        '-m',
        forged,
      ]).catch(() => undefined);
      // The device's own state, sent after it on the same path to the hub, arrives; the forged one never did.
      const own = JSON.stringify({ seq: 2, ts: Date.now(), values: { power: true, channel: 7 } });
      await run('mosquitto_pub', [...auth(a), '-q', '1', '-t', `hearth/dev/${a.id}/state`, '-m', own]);
      await waitFor(() => t.hub.context.registry.get(a.id)?.reported.channel === 7, {
        what: "a's own state",
      });
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
  },
);
