// The MQTT 3.1.1 "MUST" rules a server enforces on what a client sends, checked on one whole
// packet's bytes before the parser sees them. The parser (mqtt-packet) and aedes accept several
// malformed packets, and an ACL refusal is no substitute for a protocol refusal: a client allowed
// everything must still be held to the spec. Pure functions, so every rule tests without a socket.
import { isUtf8 } from 'node:buffer';

/** What to do with a packet: let it through, or refuse it (with a CONNACK code where the spec gives one). */
export type Verdict = { ok: true } | { ok: false; rule: string; reason: string; connack?: 1 | 2 };

export interface ConnectionRules {
  /** Longest client id accepted, in bytes (longer ones get CONNACK 2, MQTT-3.1.3-9). */
  maxClientIdLength: number;
}

const OK: Verdict = { ok: true };
const refuse = (rule: string, reason: string, connack?: 1 | 2): Verdict =>
  connack ? { ok: false, rule, reason, connack } : { ok: false, rule, reason };

export const PACKET = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
} as const;

/** A UTF-8 encoded string field (MQTT 1.5.3) read at `at`, or why it is malformed. */
type Field = { value: Buffer; next: number } | { error: string };

function readField(body: Buffer, at: number): Field {
  if (at + 2 > body.length) return { error: 'string length runs past the packet' };
  const length = body.readUInt16BE(at);
  const end = at + 2 + length;
  if (end > body.length) return { error: 'string runs past the packet' };
  return { value: body.subarray(at + 2, end), next: end };
}

/** MQTT-1.5.3-1 (well-formed UTF-8, no surrogates) and MQTT-1.5.3-2 (no U+0000). */
function badString(value: Buffer): string | null {
  if (!isUtf8(value)) return 'is not well-formed UTF-8 (MQTT-1.5.3-1)';
  if (value.includes(0)) return 'contains U+0000 (MQTT-1.5.3-2)';
  return null;
}

function readString(body: Buffer, at: number, what: string): Field {
  const field = readField(body, at);
  if ('error' in field) return { error: `${what}: ${field.error}` };
  const bad = badString(field.value);
  return bad ? { error: `${what} ${bad}` } : field;
}

const PLUS = 0x2b;
const HASH = 0x23;
const SLASH = 0x2f;

/** A topic name: at least one character (MQTT-4.7.3-1), no wildcards (MQTT-3.3.2-2). */
function badTopicName(topic: Buffer, what: string): Verdict | null {
  if (topic.length === 0) return refuse('MQTT-4.7.3-1', `${what} is empty`);
  if (topic.includes(PLUS) || topic.includes(HASH))
    return refuse('MQTT-3.3.2-2', `${what} contains a wildcard`);
  return null;
}

/** A topic filter: non-empty, `#` last and alone at its level, `+` alone at its level (MQTT-4.7.1-2/-3). */
export function badTopicFilter(filter: Buffer): Verdict | null {
  if (filter.length === 0) return refuse('MQTT-4.7.3-1', 'topic filter is empty');
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c !== PLUS && c !== HASH) continue;
    const aloneBefore = i === 0 || filter[i - 1] === SLASH;
    const aloneAfter = i === filter.length - 1 || filter[i + 1] === SLASH;
    if (c === HASH && !(aloneBefore && i === filter.length - 1))
      return refuse('MQTT-4.7.1-2', "'#' must be the last level of a topic filter, alone");
    if (c === PLUS && !(aloneBefore && aloneAfter))
      return refuse('MQTT-4.7.1-3', "'+' must occupy a whole level of a topic filter");
  }
  return null;
}

/** MQTT-2.2.2-1/-2: the fixed header's flag bits, per packet type (PUBLISH is checked on its own). */
const REQUIRED_FLAGS: Record<number, number> = {
  [PACKET.CONNECT]: 0,
  [PACKET.PUBACK]: 0,
  [PACKET.PUBREC]: 0,
  [PACKET.PUBREL]: 0b0010,
  [PACKET.PUBCOMP]: 0,
  [PACKET.SUBSCRIBE]: 0b0010,
  [PACKET.UNSUBSCRIBE]: 0b0010,
  [PACKET.PINGREQ]: 0,
  [PACKET.DISCONNECT]: 0,
};

const FLAG_RULES: Record<number, string> = {
  [PACKET.PUBREL]: 'MQTT-3.6.1-1',
  [PACKET.SUBSCRIBE]: 'MQTT-3.8.1-1',
  [PACKET.UNSUBSCRIBE]: 'MQTT-3.10.1-1',
  [PACKET.DISCONNECT]: 'MQTT-3.14.1-1',
};

/**
 * Checks one packet from a client. `connected` says whether a CONNECT came before it on this
 * connection (the first packet must be CONNECT, and only the first: MQTT-3.1.0-1/-2).
 */
export function checkPacket(
  type: number,
  flags: number,
  body: Buffer,
  connected: boolean,
  rules: ConnectionRules,
): Verdict {
  if (!connected && type !== PACKET.CONNECT)
    return refuse('MQTT-3.1.0-1', 'the first packet on a connection must be CONNECT');
  if (type === PACKET.PUBLISH) return checkPublish(flags, body);
  const required = REQUIRED_FLAGS[type];
  if (required === undefined)
    return refuse('MQTT-4.8.0-1', `packet type ${type} is reserved or is not sent by clients`);
  if (flags !== required)
    return refuse(
      FLAG_RULES[type] ?? 'MQTT-2.2.2-2',
      `reserved header flags of packet type ${type} are wrong`,
    );
  switch (type) {
    case PACKET.CONNECT:
      return connected
        ? refuse('MQTT-3.1.0-2', 'a second CONNECT on one connection')
        : checkConnect(body, rules);
    case PACKET.PUBACK:
    case PACKET.PUBREC:
    case PACKET.PUBREL:
    case PACKET.PUBCOMP:
      if (body.length !== 2)
        return refuse('MQTT-4.8.0-1', `packet type ${type} must have remaining length 2`);
      return body.readUInt16BE(0) === 0 ? refuse('MQTT-2.3.1-1', 'packet identifier 0') : OK;
    case PACKET.SUBSCRIBE:
      return checkSubscribe(body, true);
    case PACKET.UNSUBSCRIBE:
      return checkSubscribe(body, false);
    default: // PINGREQ, DISCONNECT
      return body.length === 0 ? OK : refuse('MQTT-4.8.0-1', `packet type ${type} must have no body`);
  }
}

function checkPublish(flags: number, body: Buffer): Verdict {
  const qos = (flags >> 1) & 0b11;
  if (qos === 3) return refuse('MQTT-3.3.1-4', 'PUBLISH with both QoS bits set');
  if (qos === 0 && flags & 0b1000) return refuse('MQTT-3.3.1-2', 'DUP set on a QoS 0 PUBLISH');
  const topic = readString(body, 0, 'topic name');
  if ('error' in topic) return refuse('MQTT-1.5.3-1', topic.error);
  const bad = badTopicName(topic.value, 'topic name');
  if (bad) return bad;
  if (qos > 0) {
    if (topic.next + 2 > body.length)
      return refuse('MQTT-2.3.1-1', 'QoS > 0 PUBLISH without a packet identifier');
    if (body.readUInt16BE(topic.next) === 0)
      return refuse('MQTT-2.3.1-1', 'QoS > 0 PUBLISH with packet identifier 0');
  }
  return OK;
}

/** SUBSCRIBE (filter + options byte pairs) or UNSUBSCRIBE (filters only). */
function checkSubscribe(body: Buffer, subscribe: boolean): Verdict {
  const name = subscribe ? 'SUBSCRIBE' : 'UNSUBSCRIBE';
  if (body.length < 2) return refuse('MQTT-2.3.1-1', `${name} without a packet identifier`);
  if (body.readUInt16BE(0) === 0) return refuse('MQTT-2.3.1-1', `${name} with packet identifier 0`);
  let at = 2;
  if (at === body.length)
    return subscribe
      ? refuse('MQTT-3.8.3-3', 'SUBSCRIBE with no topic filter')
      : refuse('MQTT-3.10.3-2', 'UNSUBSCRIBE with no topic filter');
  while (at < body.length) {
    const filter = readString(body, at, 'topic filter');
    if ('error' in filter) return refuse('MQTT-1.5.3-1', filter.error);
    const bad = badTopicFilter(filter.value);
    if (bad) return bad;
    at = filter.next;
    if (!subscribe) continue;
    if (at >= body.length) return refuse('MQTT-3.8.3-1', 'topic filter without its requested QoS');
    const options = body[at] as number;
    if (options > 2) return refuse('MQTT-3-8.3-4', 'requested QoS byte has reserved bits set or QoS 3');
    at++;
  }
  return OK;
}

function checkConnect(body: Buffer, rules: ConnectionRules): Verdict {
  const name = readField(body, 0);
  if ('error' in name) return refuse('MQTT-3.1.2-1', `protocol name: ${name.error}`);
  const protocol = name.value.toString('latin1');
  if (protocol !== 'MQTT' && protocol !== 'MQIsdp')
    return refuse('MQTT-3.1.2-1', `protocol name ${JSON.stringify(protocol)} is not MQTT`);
  if (name.next + 4 > body.length) return refuse('MQTT-3.1.4-1', 'CONNECT variable header is cut short');
  const level = body[name.next] as number;
  // Level 4 is 3.1.1 ("MQTT"); level 3 is 3.1, whose name is "MQIsdp". Anything else: CONNACK 1.
  if ((protocol === 'MQTT' && level !== 4) || (protocol === 'MQIsdp' && level !== 3))
    return refuse('MQTT-3.1.2-2', `protocol ${protocol} level ${level} is not supported`, 1);
  const flags = body[name.next + 1] as number;
  if (flags & 0x01) return refuse('MQTT-3.1.2-3', 'CONNECT reserved flag is set');
  const will = (flags & 0x04) !== 0;
  const willQos = (flags >> 3) & 0b11;
  const willRetain = (flags & 0x20) !== 0;
  const hasPassword = (flags & 0x40) !== 0;
  const hasUsername = (flags & 0x80) !== 0;
  const clean = (flags & 0x02) !== 0;
  if (!will && willQos !== 0) return refuse('MQTT-3.1.2-13', 'will QoS set without a will');
  if (!will && willRetain) return refuse('MQTT-3.1.2-15', 'will retain set without a will');
  if (willQos === 3) return refuse('MQTT-3.1.2-14', 'will QoS 3');
  if (hasPassword && !hasUsername) return refuse('MQTT-3.1.2-22', 'password flag set without a user name');

  const clientId = readString(body, name.next + 4, 'client identifier');
  if ('error' in clientId) return refuse('MQTT-3.1.3-4', clientId.error);
  let at = clientId.next;
  if (will) {
    const topic = readString(body, at, 'will topic');
    if ('error' in topic) return refuse('MQTT-3.1.3-10', topic.error);
    const bad = badTopicName(topic.value, 'will topic');
    if (bad) return bad;
    const message = readField(body, topic.next);
    if ('error' in message) return refuse('MQTT-3.1.3-10', `will message: ${message.error}`);
    at = message.next;
  }
  if (hasUsername) {
    const user = readString(body, at, 'user name');
    if ('error' in user) return refuse('MQTT-3.1.3-11', user.error);
    at = user.next;
  }
  if (hasPassword) {
    const password = readField(body, at);
    if ('error' in password) return refuse('MQTT-3.1.4-1', `password: ${password.error}`);
    at = password.next;
  }
  if (at !== body.length)
    return refuse('MQTT-3.1.4-1', `${body.length - at} bytes after the CONNECT payload`);
  if (clientId.value.length === 0 && !clean)
    return refuse('MQTT-3.1.3-8', 'an empty client identifier needs clean session 1', 2);
  if (clientId.value.length > rules.maxClientIdLength)
    return refuse('MQTT-3.1.3-9', `client identifier longer than ${rules.maxClientIdLength} bytes`, 2);
  return OK;
}
