// The hub losing mosquitto, in mosquitto mode: presence is the devices' retained status read live,
// so without the connection every device counts as offline, and once back the hub learns who is
// online again and says it is online itself. Two ways to lose it: the connection is cut while
// mosquitto keeps the hub's session (its will fires; the retained statuses are not sent again
// unasked), and mosquitto restarts (it forgets sessions and retained messages).
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../hub/drills/cloud-broker.js';
import { startTestHub, type TestHub } from '../../../support/hub.js';
import { startTestMosquitto, type TestMosquitto } from '../../../support/mosquitto.js';
import { waitFor } from '../../../support/wait.js';

/** A TCP hop between the hub and mosquitto that can be cut (and refuse connections until restored). */
async function startCuttableHop(
  target: number,
): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((s) => {
    if (refusing) return void s.destroy();
    const up = tcpConnect({ host: '127.0.0.1', port: target, noDelay: true });
    for (const x of [s, up]) {
      sockets.add(x);
      x.on('error', () => undefined);
      x.once('close', () => {
        sockets.delete(x);
        (x === s ? up : s).destroy();
      });
    }
    s.pipe(up).pipe(s);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `mqtt://127.0.0.1:${port}`,
    cut() {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      refusing = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('the hub loses mosquitto and comes back', () => {
  let m: TestMosquitto;
  let hop: Awaited<ReturnType<typeof startCuttableHop>>;
  let t: TestHub;
  const devices: MqttClient[] = [];

  beforeAll(async () => {
    m = await startTestMosquitto();
    hop = await startCuttableHop(m.port);
    // The hub reaches mosquitto through the hop; devices connect to mosquitto directly.
    t = await startTestHub({ mosquitto: { ...m, url: hop.url } });
  });
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.endAsync(true).catch(() => undefined)));
    await t.cleanup();
    await hop.close();
    await m.stop();
  });

  const online = async (id: string) =>
    ((await (await t.api(`/api/v1/devices/${id}`)).json()) as { online: boolean }).online;

  /** A device on mosquitto itself, saying it is online as firmware does; it hears hearth/hub/status. */
  const deviceOnMosquitto = async (id: string, secret: string, heard: string[]) => {
    const d = await mqtt.connectAsync(m.url, {
      clientId: id,
      username: id,
      password: secret,
      reconnectPeriod: 0,
      will: { topic: `hearth/dev/${id}/status`, payload: Buffer.from('offline'), retain: true, qos: 1 },
    });
    devices.push(d);
    d.on('message', (topic, payload) => {
      if (topic === 'hearth/hub/status') heard.push(payload.toString());
    });
    await d.subscribeAsync('hearth/hub/status', { qos: 1 });
    await d.publishAsync(`hearth/dev/${id}/status`, 'online', { retain: true, qos: 1 });
    return d;
  };

  const register = async (name: string) => {
    const res = await t.api('/api/v1/devices', { method: 'POST', json: { name, model: 'light' } });
    expect(res.status).toBe(201);
    const { device, secret } = (await res.json()) as { device: { id: string }; secret: string };
    await t.hub.context.credentialsSettled?.();
    return { id: device.id, secret };
  };

  it('a cut connection: devices offline while it is down; back, the hub reads their status again and says online', async () => {
    const { id, secret } = await register('hop light');
    const heard: string[] = [];
    await deviceOnMosquitto(id, secret, heard);
    await waitFor(() => online(id), { what: 'the device online' });

    hop.cut();
    await waitFor(async () => !(await online(id)), { what: 'the device offline while the hub is cut off' });
    await waitFor(() => heard.includes('offline'), { what: "the hub's will" });
    hop.restore();
    // The device never left mosquitto: only its retained status, read again, brings it back.
    await waitFor(() => online(id), { what: 'the device online again', timeoutMs: 15_000 });
    await waitFor(() => heard.at(-1) === 'online', { what: 'the hub saying it is online again' });
  });

  it('mosquitto restarts: devices offline; back, the hub is online there again and sees devices return', async () => {
    const { id, secret } = await register('restart light');
    const first = await deviceOnMosquitto(id, secret, []);
    await waitFor(() => online(id), { what: 'the device online' });

    const gone = new Promise<void>((r) => first.once('close', () => r()));
    await m.restart();
    await gone;
    await waitFor(async () => !(await online(id)), { what: 'the device offline after the restart' });
    // The restarted mosquitto forgot every retained message: the hub says it is online again, and
    // a device back on mosquitto is online at the hub.
    const heard: string[] = [];
    await deviceOnMosquitto(id, secret, heard);
    await waitFor(() => heard.includes('online'), {
      what: 'the hub online on the restarted mosquitto',
      timeoutMs: 15_000,
    });
    await waitFor(() => online(id), { what: 'the device online again', timeoutMs: 15_000 });
  });
});
