import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPacket } from '../../../hub/broker/mqtt-rules.js';
import { createPacketGuard, type Refusal } from '../../../hub/broker/packet-guard.js';
import { connectPacket, packet, publishPacket, subscribePacket, unsubscribePacket } from './raw-mqtt.js';

/** The rules alone: no broker, no ACL, so a refusal here is the protocol's and nothing else's. */
const rules = { maxClientIdLength: 64 };
const verdict = (bytes: Buffer, connected = true) => {
  // One-byte remaining lengths are enough for these packets; longer ones go through the guard below.
  const lengthBytes = ((bytes[1] as number) & 0x80) !== 0 ? 2 : 1;
  return checkPacket(
    (bytes[0] as number) >> 4,
    (bytes[0] as number) & 0x0f,
    bytes.subarray(1 + lengthBytes),
    connected,
    rules,
  );
};
const ruleOf = (bytes: Buffer, connected = true) => {
  const v = verdict(bytes, connected);
  return v.ok ? 'ok' : `${v.rule}${v.connack ? ` connack ${v.connack}` : ''}`;
};

describe('MQTT 3.1.1 rules, packet by packet', () => {
  it('accepts what well-behaved clients send', () => {
    expect(ruleOf(connectPacket({ clientId: 'tv-1', username: 'tv-1', password: 's' }), false)).toBe('ok');
    expect(ruleOf(connectPacket({ clientId: 'x', protocol: 'MQIsdp', level: 3 }), false)).toBe('ok');
    expect(
      ruleOf(
        connectPacket({ clientId: 'x', will: { topic: 'a/b', payload: 'gone', qos: 2, retain: true } }),
        false,
      ),
    ).toBe('ok');
    expect(ruleOf(publishPacket('a/b', 'x', 1, 7))).toBe('ok');
    expect(ruleOf(subscribePacket(1, 'a/+/c/#'))).toBe('ok');
    expect(ruleOf(subscribePacket(1, '#'))).toBe('ok');
    expect(ruleOf(subscribePacket(1, '+'))).toBe('ok');
    expect(ruleOf(unsubscribePacket(1, ['a/+', 'b']))).toBe('ok');
    expect(ruleOf(packet(0x62, [0, 1]))).toBe('ok');
    expect(ruleOf(packet(0xc0, []))).toBe('ok');
    expect(ruleOf(packet(0xe0, []))).toBe('ok');
  });

  const cases: Array<[string, Buffer, boolean, string]> = [
    ['first packet not CONNECT', publishPacket('a', 'x', 0), false, 'MQTT-3.1.0-1'],
    ['second CONNECT', connectPacket({ clientId: 'x' }), true, 'MQTT-3.1.0-2'],
    ['protocol name MQTX', connectPacket({ clientId: 'x', protocol: 'MQTX' }), false, 'MQTT-3.1.2-1'],
    ['MQTT level 3', connectPacket({ clientId: 'x', level: 3 }), false, 'MQTT-3.1.2-2 connack 1'],
    ['MQTT level 5', connectPacket({ clientId: 'x', level: 5 }), false, 'MQTT-3.1.2-2 connack 1'],
    [
      'MQIsdp level 4',
      connectPacket({ clientId: 'x', protocol: 'MQIsdp', level: 4 }),
      false,
      'MQTT-3.1.2-2 connack 1',
    ],
    ['reserved connect flag', connectPacket({ clientId: 'x', flagsExtra: 0x01 }), false, 'MQTT-3.1.2-3'],
    ['will QoS without will', connectPacket({ clientId: 'x', flagsExtra: 0x08 }), false, 'MQTT-3.1.2-13'],
    ['will retain without will', connectPacket({ clientId: 'x', flagsExtra: 0x20 }), false, 'MQTT-3.1.2-15'],
    [
      'will QoS 3',
      connectPacket({ clientId: 'x', will: { topic: 'a', payload: 'p', qos: 3 } }),
      false,
      'MQTT-3.1.2-14',
    ],
    [
      'password without user name',
      connectPacket({ clientId: 'x', flagsExtra: 0x40, trailing: Buffer.from([0, 1, 0x41]) }),
      false,
      'MQTT-3.1.2-22',
    ],
    ['client id not UTF-8', connectPacket({ clientId: Buffer.from([0x61, 0xff]) }), false, 'MQTT-3.1.3-4'],
    [
      'client id with a UTF-8-encoded surrogate',
      connectPacket({ clientId: Buffer.from([0xed, 0xa0, 0x80]) }),
      false,
      'MQTT-3.1.3-4',
    ],
    ['client id with U+0000', connectPacket({ clientId: Buffer.from([0x61, 0x00]) }), false, 'MQTT-3.1.3-4'],
    [
      'will topic with a wildcard',
      connectPacket({ clientId: 'x', will: { topic: 'a/#', payload: 'p', qos: 1 } }),
      false,
      'MQTT-3.3.2-2',
    ],
    [
      'bytes after the payload',
      connectPacket({ clientId: 'x', trailing: Buffer.from([1, 2]) }),
      false,
      'MQTT-3.1.4-1',
    ],
    [
      'empty client id, clean 0',
      connectPacket({ clientId: '', clean: false }),
      false,
      'MQTT-3.1.3-8 connack 2',
    ],
    ['client id over 64 bytes', connectPacket({ clientId: 'x'.repeat(65) }), false, 'MQTT-3.1.3-9 connack 2'],
    ['PUBLISH QoS 3', publishPacket('a', 'x', 1, 1, 0x36), true, 'MQTT-3.3.1-4'],
    ['PUBLISH QoS 0 with DUP', publishPacket('a', 'x', 0, 1, 0x38), true, 'MQTT-3.3.1-2'],
    ['PUBLISH QoS 1 packet id 0', publishPacket('a', 'x', 1, 0), true, 'MQTT-2.3.1-1'],
    ['PUBLISH topic not UTF-8', publishPacket(Buffer.from([0x61, 0xc3]), 'x', 0), true, 'MQTT-1.5.3-1'],
    ['PUBLISH topic with U+0000', publishPacket(Buffer.from([0x61, 0x00]), 'x', 0), true, 'MQTT-1.5.3-1'],
    ['PUBLISH topic with +', publishPacket('a/+', 'x', 0), true, 'MQTT-3.3.2-2'],
    ['PUBLISH empty topic', publishPacket('', 'x', 0), true, 'MQTT-4.7.3-1'],
    ['SUBSCRIBE flags 0000', subscribePacket(1, 'a', 0x80), true, 'MQTT-3.8.1-1'],
    ['SUBSCRIBE packet id 0', subscribePacket(0, 'a'), true, 'MQTT-2.3.1-1'],
    ['SUBSCRIBE without filters', packet(0x82, [0, 1]), true, 'MQTT-3.8.3-3'],
    ['SUBSCRIBE QoS 3', subscribePacket(1, 'a', 0x82, 3), true, 'MQTT-3-8.3-4'],
    ['SUBSCRIBE reserved option bits', subscribePacket(1, 'a', 0x82, 0x41), true, 'MQTT-3-8.3-4'],
    ['SUBSCRIBE filter without QoS', packet(0x82, [0, 1, 0, 1, 0x61]), true, 'MQTT-3.8.3-1'],
    ['filter a+', subscribePacket(1, 'a+'), true, 'MQTT-4.7.1-3'],
    ['filter a/+b', subscribePacket(1, 'a/+b'), true, 'MQTT-4.7.1-3'],
    ['filter a/#/b', subscribePacket(1, 'a/#/b'), true, 'MQTT-4.7.1-2'],
    ['filter a#', subscribePacket(1, 'a#'), true, 'MQTT-4.7.1-2'],
    ['empty filter', subscribePacket(1, ''), true, 'MQTT-4.7.3-1'],
    ['filter not UTF-8', subscribePacket(1, Buffer.from([0xfe])), true, 'MQTT-1.5.3-1'],
    ['UNSUBSCRIBE flags 0000', unsubscribePacket(1, ['a'], 0xa0), true, 'MQTT-3.10.1-1'],
    ['UNSUBSCRIBE without filters', unsubscribePacket(1, []), true, 'MQTT-3.10.3-2'],
    ['UNSUBSCRIBE packet id 0', unsubscribePacket(0, ['a']), true, 'MQTT-2.3.1-1'],
    ['UNSUBSCRIBE filter with U+0000', unsubscribePacket(1, [Buffer.from([0x61, 0])]), true, 'MQTT-1.5.3-1'],
    ['PUBREL flags 0000', packet(0x60, [0, 1]), true, 'MQTT-3.6.1-1'],
    ['PUBREL remaining length 0', packet(0x62, []), true, 'MQTT-4.8.0-1'],
    ['PUBACK remaining length 3', packet(0x40, [0, 1, 0]), true, 'MQTT-4.8.0-1'],
    ['PINGREQ with a payload', packet(0xc0, [0]), true, 'MQTT-4.8.0-1'],
    ['DISCONNECT reserved flags', packet(0xe1, []), true, 'MQTT-3.14.1-1'],
    ['reserved type 0', packet(0x00, []), true, 'MQTT-4.8.0-1'],
    ['reserved type 15', packet(0xf0, []), true, 'MQTT-4.8.0-1'],
    ['CONNACK from a client', packet(0x20, [0, 0]), true, 'MQTT-4.8.0-1'],
  ];
  it.each(cases.map(([name, bytes, connected, expected]) => ({ name, bytes, connected, expected })))(
    '$name → $expected',
    ({ bytes, connected, expected }) => {
      expect(ruleOf(bytes, connected)).toBe(expected);
    },
  );
});

describe('the packet guard in front of the parser', () => {
  const run = (chunks: Buffer[]) => {
    const out: Buffer[] = [];
    const refusals: Refusal[] = [];
    const guard = createPacketGuard({ onRefused: (r) => refusals.push(r) });
    for (const c of chunks) guard.take(c, (packets) => out.push(packets));
    return { passed: Buffer.concat(out), refusals };
  };
  const session = Buffer.concat([
    connectPacket({ clientId: 'tv-1', username: 'tv-1', password: 'secret' }),
    subscribePacket(1, 'hearth/dev/tv-1/cmd'),
    publishPacket('hearth/dev/tv-1/state', 'x'.repeat(300), 1, 2),
    packet(0xc0, []),
  ]);

  it('passes valid packets through unchanged, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: session.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...points].map((p, i) => session.subarray(p, points[i] ?? session.length));
        const { passed, refusals } = run(chunks);
        expect(refusals).toEqual([]);
        expect(passed.equals(session)).toBe(true);
      }),
    );
  });

  it('passes the valid packets before a refused one, then nothing more', () => {
    const bad = subscribePacket(2, 'a+');
    const { passed, refusals } = run([Buffer.concat([session, bad, packet(0xc0, [])])]);
    expect(passed.equals(session)).toBe(true);
    expect(refusals.map((r) => r.rule)).toEqual(['MQTT-4.7.1-3']);
  });

  it('refuses an oversized packet from its header alone, and a five-byte remaining length', () => {
    const login = connectPacket({ clientId: 'x' });
    expect(run([login, Buffer.from([0x30, 0x80, 0x80, 0x80, 0x05])]).refusals[0]?.rule).toBe('size-limit');
    expect(run([login, Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])]).refusals[0]?.rule).toBe(
      'MQTT-2.2.3',
    );
  });
});
