import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../support/hub.js';
import {
  connackCode,
  connectPacket,
  packet,
  publishPacket,
  rawConnect,
  subscribePacket,
} from './raw-mqtt.js';

/** MQTT 3.1.1 "MUST" refusals (TARGETS.md), probed with raw bytes against the hub's real port. */
describe('MQTT 3.1.1 conformance: what the broker must refuse', () => {
  let t: TestHub;
  let device: { id: string; secret: string };
  beforeAll(async () => {
    t = await startTestHub();
    const d = await t.connectDevice('tv');
    await d.client.endAsync();
    device = { id: d.id, secret: d.secret };
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const port = () => t.hub.ports.mqtt;
  const loggedIn = async () => {
    const c = await rawConnect(port());
    c.send(connectPacket({ clientId: device.id, username: device.id, password: device.secret }));
    await new Promise<void>((resolve) => c.socket.once('data', () => resolve()));
    return c;
  };

  it('unacceptable protocol level → CONNACK 1, then close (MQTT-3.1.2-2)', async () => {
    const c = await rawConnect(port());
    c.send(connectPacket({ clientId: 'x', level: 6 }));
    expect(connackCode(await c.closed)).toBe(1);
  });

  it('empty client id with clean session 0 → CONNACK 2 (MQTT-3.1.3-8)', async () => {
    const c = await rawConnect(port());
    c.send(connectPacket({ clientId: '', clean: false, username: device.id, password: device.secret }));
    expect(connackCode(await c.closed)).toBe(2);
  });

  it('bad credentials → CONNACK 4; anonymous non-provisioning → CONNACK 5', async () => {
    const bad = await rawConnect(port());
    bad.send(connectPacket({ clientId: device.id, username: device.id, password: 'nope' }));
    expect(connackCode(await bad.closed)).toBe(4);
    const anon = await rawConnect(port());
    anon.send(connectPacket({ clientId: 'someone' }));
    expect(connackCode(await anon.closed)).toBe(5);
  });

  it('CONNECT reserved flag set → connection closed without CONNACK (MQTT-3.1.2-3)', async () => {
    const c = await rawConnect(port());
    c.send(
      connectPacket({ clientId: device.id, username: device.id, password: device.secret, flagsExtra: 0x01 }),
    );
    expect(connackCode(await c.closed)).not.toBe(0);
  });

  it('a second CONNECT closes the connection (MQTT-3.1.0-2)', async () => {
    const c = await loggedIn();
    c.send(connectPacket({ clientId: device.id, username: device.id, password: device.secret }));
    await c.closed;
  });

  it('SUBSCRIBE with reserved header flags ≠ 0010 closes the connection (MQTT-3.8.1-1)', async () => {
    const c = await loggedIn();
    c.send(subscribePacket(1, `hearth/dev/${device.id}/cmd`, 0x80));
    await c.closed;
  });

  it('an invalid topic filter is refused (MQTT-4.7.1-2)', async () => {
    const c = await loggedIn();
    c.send(subscribePacket(2, 'hearth/#/cmd'));
    const received = await Promise.race([c.closed, new Promise<Buffer>((r) => c.socket.once('data', r))]);
    // Either a SUBACK with 0x80 or a closed connection is conformant.
    const suback = received[0] === 0x90 ? received[received.length - 1] : null;
    expect(suback === 0x80 || c.socket.destroyed || received[0] !== 0x90).toBe(true);
    c.socket.destroy();
  });

  it('PUBLISH QoS 1 with packet id 0 closes the connection (MQTT-2.3.1-1)', async () => {
    const c = await loggedIn();
    c.send(publishPacket(`hearth/dev/${device.id}/event`, '{}', 1, 0));
    await c.closed;
  });

  it('PUBLISH with QoS bits 11 closes the connection (MQTT-3.3.1-4)', async () => {
    const c = await loggedIn();
    c.send(publishPacket(`hearth/dev/${device.id}/event`, '{}', 1, 5, 0x36));
    await c.closed;
  });

  it('a topic name that is not valid UTF-8 closes the connection (MQTT-1.5.3-1)', async () => {
    const c = await loggedIn();
    c.send(publishPacket(Buffer.from([0x68, 0xff, 0xfe]), '{}', 0));
    await c.closed;
  });

  it('a packet over the size limit is dropped before it is buffered', async () => {
    const c = await loggedIn();
    // Announce 10 MB and send only the header: the guard cuts the connection at once.
    c.send(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x05]));
    await c.closed;
  });

  it('reserved packet types (0 and 15) close the connection', async () => {
    for (const type of [0x00, 0xf0]) {
      const c = await loggedIn();
      c.send(packet(type, Buffer.alloc(0)));
      await c.closed;
    }
  });

  it('a connection that never sends CONNECT is dropped (within 10 s)', async () => {
    const c = await rawConnect(port());
    const t0 = Date.now();
    await c.closed;
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 15_000);
});
