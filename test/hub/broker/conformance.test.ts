// MQTT 3.1.1 "MUST" refusals, probed with raw bytes against the hub's real port, organised by
// spec id, in both broker modes. Every probe comes from a client the ACL allows (a registered
// device on its own topics, with its real secret), and each test asserts what the spec says comes
// back — the CONNACK code, or a close with no reply — and that the refusal was the protocol's, not
// the ACL's: on the embedded broker counted by rule in hearth_mqtt_protocol_errors_total, on
// mosquitto (which refuses by itself: the hub is only its client) in mosquitto's own log. Where
// mosquitto 2.0 answers otherwise, the case says so and asserts what mosquitto does.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_MODES, startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';
import {
  type ConnectOptions,
  connackCode,
  connectPacket,
  packet,
  publishPacket,
  rawConnect,
  subscribePacket,
  unsubscribePacket,
} from './raw-mqtt.js';
import { refusalEvidence } from './refusal-evidence.js';

describe.each(BROKER_MODES)(
  'MQTT 3.1.1 conformance (%s broker): what the broker must refuse, by spec id',
  (mode) => {
    let t: TestHub;
    let device: { id: string; secret: string };
    /** The embedded broker's answer, or mosquitto's where it differs (each use says why). */
    const byMode = <T>(embedded: T, mosquitto: T): T => (mode === 'embedded' ? embedded : mosquitto);
    beforeAll(async () => {
      t = await startTestHub({ broker: mode });
      const d = await t.connectDevice('tv');
      await d.client.endAsync();
      device = { id: d.id, secret: d.secret };
    });
    afterAll(async () => {
      await t.cleanup();
    });

    const port = () => t.hub.ports.mqtt;
    const creds = () => ({ clientId: device.id, username: device.id, password: device.secret });
    const { counter, mosquittoLog, protocolRefusal } = refusalEvidence(() => t, mode);

    /** A connection logged in as the device (CONNACK 0 checked); `after()` is what came since. */
    const loggedIn = async (extra: Partial<ConnectOptions> = {}) => {
      const c = await rawConnect(port());
      c.send(connectPacket({ ...creds(), ...extra }));
      const first = await c.bytes(4);
      expect(connackCode(first)).toBe(0);
      return { c, after: async () => (await c.closed).subarray(4) };
    };

    /** Sends `bytes` on a fresh logged-in connection: closed with no reply, refused under `rule`. */
    const expectProtocolClose = async (bytes: Buffer, rule: string, mosquittoSays?: RegExp) => {
      const refusal = protocolRefusal(rule, mosquittoSays);
      const { c, after } = await loggedIn();
      c.send(bytes);
      expect((await after()).toString('hex')).toBe('');
      await refusal.check();
    };

    /**
     * mosquitto 2.0 lets `bytes` through (a known deviation, in the README): the connection stays
     * up and answers a well-formed PINGREQ sent after them.
     */
    const expectMosquittoLetsThrough = async (bytes: Buffer) => {
      const { c } = await loggedIn();
      c.send(bytes);
      c.send(packet(0xc0, []));
      await waitFor(() => c.received().subarray(4).toString('hex').endsWith('d000'), { what: 'PINGRESP' });
      expect(c.socket.destroyed).toBe(false);
      c.socket.destroy();
    };

    /** Sends a CONNECT on a fresh connection and returns every byte until the close. */
    const connectAndClose = async (o: ConnectOptions | Buffer) => {
      const c = await rawConnect(port());
      c.send(Buffer.isBuffer(o) ? o : connectPacket(o));
      return c.closed;
    };

    describe('CONNECT', () => {
      it('MQTT-3.1.0-1: a first packet other than CONNECT closes the connection, unanswered', async () => {
        expect((await connectAndClose(packet(0xc0, []))).length).toBe(0);
      });

      it('MQTT-3.1.0-2: a second CONNECT closes the connection, unanswered', async () => {
        const { c, after } = await loggedIn();
        c.send(connectPacket(creds()));
        expect((await after()).length).toBe(0);
      });

      it('MQTT-3.1.2-1: a protocol name other than MQTT closes the connection, unanswered', async () => {
        expect((await connectAndClose({ ...creds(), protocol: 'MQTX' })).length).toBe(0);
      });

      it('MQTT-3.1.2-2: an unsupported level gets CONNACK 1 (MQTT with level 3 or 6, MQIsdp with 4)', async () => {
        for (const o of [{ level: 6 }, { level: 3 }, { protocol: 'MQIsdp', level: 4 }]) {
          const bytes = await connectAndClose({ ...creds(), ...o });
          expect(bytes.toString('hex'), JSON.stringify(o)).toBe('20020001');
        }
      });

      it('MQTT-3.1.2-2: MQTT 3.1 (MQIsdp, level 3) is accepted', async () => {
        const c = await rawConnect(port());
        c.send(connectPacket({ ...creds(), protocol: 'MQIsdp', level: 3 }));
        expect(connackCode(await c.bytes(4))).toBe(0);
        c.socket.destroy();
      });

      it.each([
        ['MQTT-3.1.2-3', 'the reserved flag', { flagsExtra: 0x01 }],
        ['MQTT-3.1.2-13', 'will QoS without a will', { flagsExtra: 0x08 }],
        ['MQTT-3.1.2-15', 'will retain without a will', { flagsExtra: 0x20 }],
        [
          'MQTT-3.1.2-14',
          'will QoS 3',
          { will: { topic: 'hearth/dev/x/status', payload: 'offline', qos: 3 as const } },
        ],
        ['MQTT-3.1.4-1', 'bytes after the payload', { trailing: Buffer.from([0, 0]) }],
      ])('%s: %s closes the connection, unanswered (credentials valid)', async (rule, _what, extra) => {
        const refusal = protocolRefusal(rule);
        const bytes = await connectAndClose({ ...creds(), ...extra });
        expect(bytes.length).toBe(0);
        await refusal.check();
      });

      it('MQTT-3.1.2-22: a password without a user name closes the connection, unanswered', async () => {
        const bytes = await connectAndClose({
          clientId: device.id,
          flagsExtra: 0x40,
          trailing: Buffer.from([0, 1, 0x41]),
        });
        expect(bytes.length).toBe(0);
      });

      it('MQTT-1.5.3-1/-2: a client id with invalid UTF-8, a surrogate or U+0000 closes, unanswered', async () => {
        for (const bad of [[0xff], [0xed, 0xa0, 0x80], [0x00]]) {
          const clientId = Buffer.concat([Buffer.from(device.id), Buffer.from(bad)]);
          const bytes = await connectAndClose({ ...creds(), clientId, username: clientId });
          // An authentication refusal would answer CONNACK 4; a protocol refusal answers nothing.
          expect(bytes.toString('hex'), Buffer.from(bad).toString('hex')).toBe('');
        }
      });

      it('MQTT-3.1.3-8: an empty client id with clean session 0 gets CONNACK 2', async () => {
        const bytes = await connectAndClose({ ...creds(), clientId: '', clean: false });
        expect(bytes.toString('hex')).toBe('20020002');
      });

      // The spec lets a server accept ids over 23 bytes (MQTT-3.1.3-5). The embedded broker refuses
      // what no Hearth id needs; mosquitto takes long ids, and then refuses this one as not the
      // device's (its dynamic-security client is bound to the device's id): CONNACK 5.
      it('MQTT-3.1.3-9: a client id over 64 bytes gets CONNACK 2 (mosquitto: 5, not the bound id), on 3.1.1 as on 3.1', async () => {
        for (const o of [{}, { protocol: 'MQIsdp', level: 3 }]) {
          const bytes = await connectAndClose({ ...creds(), clientId: 'a'.repeat(65), ...o });
          expect(bytes.toString('hex'), JSON.stringify(o)).toBe(byMode('20020002', '20020005'));
        }
      });

      // Both codes are refusals the spec allows; mosquitto answers every failed login "not authorized".
      it('MQTT-3.1.2-2 before credentials: wrong credentials get CONNACK 4 (mosquitto: 5), anonymous CONNACK 5', async () => {
        expect((await connectAndClose({ ...creds(), password: 'nope' })).toString('hex')).toBe(
          byMode('20020004', '20020005'),
        );
        expect((await connectAndClose({ clientId: 'someone' })).toString('hex')).toBe('20020005');
      });
    });

    describe('PUBLISH (on the device’s own state topic unless the rule is about the topic)', () => {
      const own = () => `hearth/dev/${device.id}/event`;
      it('MQTT-2.3.1-1: QoS 1 with packet id 0', () =>
        expectProtocolClose(publishPacket(own(), '{}', 1, 0), 'MQTT-2.3.1-1'));
      it('MQTT-3.3.1-4: both QoS bits set', () =>
        expectProtocolClose(publishPacket(own(), '{}', 1, 5, 0x36), 'MQTT-3.3.1-4'));
      it('MQTT-3.3.1-2: DUP on QoS 0 (mosquitto 2.0 lets it through)', () =>
        mode === 'embedded'
          ? expectProtocolClose(publishPacket(own(), '{}', 0, 0, 0x38), 'MQTT-3.3.1-2')
          : expectMosquittoLetsThrough(publishPacket(own(), '{}', 0, 0, 0x38)));
      it('MQTT-1.5.3-1: a topic name that is not UTF-8', () =>
        expectProtocolClose(
          publishPacket(Buffer.concat([Buffer.from(own()), Buffer.from([0xff])]), '{}', 0),
          'MQTT-1.5.3-1',
        ));
      it('MQTT-1.5.3-2: a topic name with U+0000', () =>
        expectProtocolClose(
          publishPacket(Buffer.concat([Buffer.from(own()), Buffer.from([0])]), '{}', 0),
          'MQTT-1.5.3-1',
        ));
      it('MQTT-3.3.2-2: a topic name with a wildcard', () =>
        expectProtocolClose(publishPacket(`hearth/dev/${device.id}/+`, '{}', 0), 'MQTT-3.3.2-2'));
      it('MQTT-4.7.3-1: an empty topic name', () =>
        expectProtocolClose(publishPacket('', '{}', 0), 'MQTT-4.7.3-1'));

      it('a valid QoS 1 publish on the same topic is acknowledged (the probes above differ only in the fault)', async () => {
        const { c } = await loggedIn();
        c.send(publishPacket(own(), JSON.stringify({ type: 'button', ts: Date.now() }), 1, 9));
        expect((await c.bytes(8)).subarray(4, 8).toString('hex')).toBe('40020009');
        c.socket.destroy();
      });
    });

    describe('SUBSCRIBE and UNSUBSCRIBE (the ACL would grant the device its own cmd topic)', () => {
      const cmd = () => `hearth/dev/${device.id}/cmd`;
      it('MQTT-3.8.1-1: reserved header flags ≠ 0010', () =>
        expectProtocolClose(subscribePacket(1, cmd(), 0x80), 'MQTT-3.8.1-1'));
      it('MQTT-2.3.1-1: packet id 0', () => expectProtocolClose(subscribePacket(0, cmd()), 'MQTT-2.3.1-1'));
      it('MQTT-3.8.3-3: no topic filter', () => expectProtocolClose(packet(0x82, [0, 1]), 'MQTT-3.8.3-3'));
      it('MQTT-3-8.3-4: requested QoS 3, and reserved option bits', async () => {
        await expectProtocolClose(subscribePacket(1, cmd(), 0x82, 3), 'MQTT-3-8.3-4');
        await expectProtocolClose(subscribePacket(1, cmd(), 0x82, 0x81), 'MQTT-3-8.3-4');
      });
      it('MQTT-4.7.1-2: # not last, or not alone at its level', async () => {
        await expectProtocolClose(subscribePacket(1, 'hearth/#/cmd'), 'MQTT-4.7.1-2');
        await expectProtocolClose(subscribePacket(1, `${cmd()}#`), 'MQTT-4.7.1-2');
      });
      it('MQTT-4.7.1-3: + not alone at its level', () =>
        expectProtocolClose(subscribePacket(1, `${cmd()}+`), 'MQTT-4.7.1-3'));
      it('MQTT-1.5.3-1/-2: a filter with invalid UTF-8 or U+0000 (SUBSCRIBE and UNSUBSCRIBE)', async () => {
        const bad = (b: number) => Buffer.concat([Buffer.from(cmd()), Buffer.from([b])]);
        await expectProtocolClose(subscribePacket(1, bad(0xff)), 'MQTT-1.5.3-1');
        await expectProtocolClose(subscribePacket(1, bad(0x00)), 'MQTT-1.5.3-1');
        await expectProtocolClose(unsubscribePacket(1, [bad(0xff)]), 'MQTT-1.5.3-1');
      });
      it('MQTT-3.10.1-1: UNSUBSCRIBE reserved header flags ≠ 0010', () =>
        expectProtocolClose(unsubscribePacket(1, [cmd()], 0xa0), 'MQTT-3.10.1-1'));
      it('MQTT-3.10.3-2: UNSUBSCRIBE with no topic filter', () =>
        expectProtocolClose(unsubscribePacket(1, []), 'MQTT-3.10.3-2'));

      it('the same SUBSCRIBE and UNSUBSCRIBE, well formed, are answered SUBACK 1 and UNSUBACK', async () => {
        const { c } = await loggedIn();
        c.send(subscribePacket(3, cmd()));
        expect((await c.bytes(9)).subarray(4, 9).toString('hex')).toBe('9003000301');
        c.send(unsubscribePacket(4, [cmd()]));
        expect((await c.bytes(13)).subarray(9, 13).toString('hex')).toBe('b0020004');
        c.socket.destroy();
      });
    });

    describe('PUBREL, PINGREQ, DISCONNECT and packet framing', () => {
      it('MQTT-3.6.1-1: PUBREL with header flags 0000', () =>
        expectProtocolClose(packet(0x60, [0, 1]), 'MQTT-3.6.1-1'));
      it('MQTT-4.8.0-1: PUBREL with remaining length 0 (mqtt-packet would read the id from the next bytes)', () =>
        expectProtocolClose(Buffer.concat([packet(0x62, []), packet(0xc0, [])]), 'MQTT-4.8.0-1'));
      it('MQTT-4.8.0-1: PINGREQ with a payload (mosquitto 2.0 lets it through)', () =>
        mode === 'embedded'
          ? expectProtocolClose(packet(0xc0, [0]), 'MQTT-4.8.0-1')
          : expectMosquittoLetsThrough(packet(0xc0, [0])));
      it('MQTT-3.14.1-1: DISCONNECT with reserved flags', () =>
        expectProtocolClose(packet(0xe1, []), 'MQTT-3.14.1-1'));
      it('MQTT-4.8.0-1: reserved packet types 0 and 15, and a CONNACK from a client', async () => {
        for (const first of [0x00, 0xf0]) await expectProtocolClose(packet(first, [0, 0]), 'MQTT-4.8.0-1');
        // mosquitto ends a client's CONNACK as an invalid read, not as a protocol error.
        await expectProtocolClose(packet(0x20, [0, 0]), 'MQTT-4.8.0-1', /Bad socket read\/write on client/);
      });
      it('MQTT-2.2.3: a remaining length of five bytes', () =>
        expectProtocolClose(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), 'MQTT-2.2.3'));
      // mosquitto does the same with the `max_packet_size` that `hearth broker setup` writes.
      it('a packet over the size limit is dropped from its header, before it is buffered', () =>
        expectProtocolClose(
          Buffer.from([0x30, 0x80, 0x80, 0x80, 0x05]),
          'size-limit',
          /disconnected due to oversize packet/,
        ));
      it('a well-formed PINGREQ is answered PINGRESP', async () => {
        const { c } = await loggedIn();
        c.send(packet(0xc0, []));
        expect((await c.bytes(6)).subarray(4, 6).toString('hex')).toBe('d000');
        c.socket.destroy();
      });
      it('a connection that never sends CONNECT is dropped (within 10 s)', async () => {
        const c = await rawConnect(port());
        const t0 = Date.now();
        if (mode === 'mosquitto') {
          // mosquitto 2.0 has no CONNECT timeout: it drops such a connection only at 1.5× its 60 s
          // default keep-alive (93 s measured here), outside the 10 s target (README). Pinned here
          // for the first second, so a mosquitto that drops it sooner shows up.
          const open = await Promise.race([
            c.closed.then(() => false),
            new Promise<boolean>((r) => setTimeout(() => r(true), 1000)),
          ]);
          expect(open).toBe(true);
          c.socket.destroy();
          return;
        }
        expect((await c.closed).length).toBe(0);
        expect(Date.now() - t0).toBeLessThan(10_000);
      }, 15_000);
    });

    describe('wills (MQTT-3.1.2-8, MQTT-3.1.2-17)', () => {
      const readStatus = async () => {
        const reader = await mqtt.connectAsync(t.mqttUrl, {
          clientId: `reader-${Math.random().toString(16).slice(2)}`,
          ...t.tokenLogin(t.token),
          reconnectPeriod: 0,
        });
        const got = new Promise<{ payload: string; retain: boolean }>((resolve) =>
          reader.on('message', (_topic, payload, p) =>
            resolve({ payload: payload.toString(), retain: p.retain }),
          ),
        );
        await reader.subscribeAsync(`hearth/dev/${device.id}/status`, { qos: 1 });
        const status = await got;
        await reader.endAsync();
        return status;
      };

      it.each([1, 2] as const)('a QoS %i will is published, retained, after an abrupt close', async (qos) => {
        const { c } = await loggedIn({
          will: { topic: `hearth/dev/${device.id}/status`, payload: `offline-q${qos}`, qos, retain: true },
        });
        c.send(publishPacket(`hearth/dev/${device.id}/status`, 'online', 1, 1, 0x33));
        await c.bytes(8);
        expect((await readStatus()).payload).toBe('online');
        c.socket.resetAndDestroy();
        await waitFor(async () => (await readStatus()).payload === `offline-q${qos}`, {
          what: `QoS ${qos} will retained`,
        });
        expect(await readStatus()).toEqual({ payload: `offline-q${qos}`, retain: true });
      });

      it('a will is published when the broker closes the connection for a protocol violation', async () => {
        const { c } = await loggedIn({
          will: {
            topic: `hearth/dev/${device.id}/status`,
            payload: 'offline-violation',
            qos: 1,
            retain: true,
          },
        });
        c.send(packet(0xf0, [0, 0])); // a reserved packet type: both brokers close for it
        await c.closed;
        await waitFor(async () => (await readStatus()).payload === 'offline-violation', {
          what: 'will after violation',
        });
      });

      it('a will outside the client’s rights is not published (the same ACL as any publish)', async () => {
        const before = {
          denied: counter('hearth_mqtt_acl_denied_total', { action: 'publish' }),
          log: mosquittoLog().length,
        };
        const { c } = await loggedIn({
          will: { topic: 'hearth/hub/status', payload: 'pwned', qos: 1, retain: true },
        });
        c.socket.resetAndDestroy();
        // The will has been dealt with once the broker has dealt with the close: counted as denied
        // on the embedded broker; on mosquitto, logged (its default log level names no denial).
        const gone = new RegExp(`Client ${device.id} (closed its connection|disconnected)`);
        await waitFor(
          () =>
            mode === 'mosquitto'
              ? gone.test(mosquittoLog().slice(before.log))
              : counter('hearth_mqtt_acl_denied_total', { action: 'publish' }) === before.denied + 1,
          { what: 'the will refused by the ACL' },
        );
        const hub = await mqtt.connectAsync(t.mqttUrl, {
          clientId: 'hub-status-reader',
          ...t.tokenLogin(t.token),
          reconnectPeriod: 0,
        });
        const got = new Promise<string>((r) => hub.on('message', (_t, p) => r(p.toString())));
        await hub.subscribeAsync('hearth/hub/status');
        expect(await got).toBe('online');
        await hub.endAsync();
      });
    });
  },
);
