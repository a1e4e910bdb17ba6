import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_MODES, startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

/**
 * MQTT over WebSocket on the HTTP port (/mqtt), for browser clients: the same auth and ACL as TCP.
 * In mosquitto mode the hub pipes each connection to mosquitto, which authenticates it.
 */
describe.each(BROKER_MODES)('MQTT over WebSocket (%s broker)', (mode) => {
  let t: TestHub;
  let url: string;
  beforeAll(async () => {
    t = await startTestHub({ broker: mode });
    url = `ws://127.0.0.1:${t.hub.ports.http}/mqtt`;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('a device reports over WebSocket and a token reads it there; the ACL holds', async () => {
    const { id, secret, client: tcp } = await t.connectDevice('tv');
    await tcp.endAsync();
    const reader = await mqtt.connectAsync(url, {
      clientId: 'ws-reader',
      ...t.tokenLogin(t.token),
      reconnectPeriod: 0,
    });
    const got = new Promise<string>((resolve) =>
      reader.on('message', (topic, payload) => {
        if (topic === `hearth/dev/${id}/state`) resolve(payload.toString());
      }),
    );
    await reader.subscribeAsync(`hearth/dev/${id}/state`, { qos: 1 });
    // A device's command topic is not for tokens: SUBACK 0x80, which mqtt.js reports as an error.
    await expect(reader.subscribeAsync(`hearth/dev/${id}/cmd`, { qos: 1 })).rejects.toThrow(
      /subscribe error/i,
    );

    const device = await mqtt.connectAsync(url, {
      clientId: id,
      username: id,
      password: secret,
      reconnectPeriod: 0,
    });
    const state = JSON.stringify({ seq: 1, ts: Date.now(), values: { power: true } });
    await device.publishAsync(`hearth/dev/${id}/state`, state, { qos: 1, retain: true });
    expect(JSON.parse(await got)).toMatchObject({ seq: 1, values: { power: true } });
    await waitFor(() => t.hub.context.registry.get(id)?.reportedSeq === 1, { what: 'state in the shadow' });
    await Promise.all([reader.endAsync(), device.endAsync()]);
  });

  it('a wrong secret is refused over WebSocket as over TCP', async () => {
    const { id, client } = await t.connectDevice('tv');
    await client.endAsync();
    const err = await mqtt
      .connectAsync(url, { clientId: id, username: id, password: 'not-the-secret', reconnectPeriod: 0 })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    // mosquitto answers every failed login "not authorized" (CONNACK 5).
    expect(String((err as Error).message)).toMatch(
      mode === 'embedded' ? /bad username or password/i : /not authorized/i,
    );
  });

  it('an upgrade on any other path is refused', async () => {
    const err = await mqtt
      .connectAsync(`ws://127.0.0.1:${t.hub.ports.http}/not-mqtt`, {
        clientId: 'x',
        username: 'token',
        password: t.token,
        reconnectPeriod: 0,
        connectTimeout: 2000,
      })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
  });
});

describe.each(BROKER_MODES)('MQTT over WebSocket at hub stop (%s broker)', (mode) => {
  it('a browser left connected does not hold the hub up: it is disconnected and the hub stops', async () => {
    const t = await startTestHub({ broker: mode });
    const reader = await mqtt.connectAsync(`ws://127.0.0.1:${t.hub.ports.http}/mqtt`, {
      clientId: 'ws-left-open',
      ...t.tokenLogin(t.token),
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((resolve) => reader.once('close', () => resolve()));
    await t.cleanup();
    await closed;
    expect(reader.connected).toBe(false);
  });
});
