// Stands between a client's byte stream and the MQTT parser: frames the stream into whole packets,
// drops a connection that announces a packet larger than the hub will ever accept (before anything
// is buffered), and holds every packet to the MQTT 3.1.1 rules (mqtt-rules.ts) before the parser
// and aedes see it. A refused packet never reaches them; the connection ends there, with the
// CONNACK code the spec gives where it gives one. Packets pass on as slices of the chunks that
// carried them: only a packet split across chunks is copied. A plain function of each chunk rather
// than a stream of its own: one stream less per connection, in memory and on every read.
import { checkPacket, PACKET, type Verdict } from './mqtt-rules.js';

export const MAX_PACKET_BYTES = 256 * 1024;
/** Hearth ids are at most 63 characters (`claim-` plus a claim id fits too). */
export const MAX_CLIENT_ID_BYTES = 64;

export type Refusal = Extract<Verdict, { ok: false }>;

export interface PacketGuardOptions {
  maxBytes?: number;
  maxClientIdLength?: number;
  /** Called once, with why, when the guard refuses; it passes nothing more after that. */
  onRefused(refusal: Refusal): void;
}

const INCOMPLETE = 0;
const MALFORMED = -1;

/** The body's offset and length of the packet at `at`, or INCOMPLETE / MALFORMED. */
function readFixedHeader(buf: Buffer, at: number): { bodyStart: number; length: number } | number {
  let length = 0;
  let multiplier = 1;
  for (let n = 0; n < 4; n++) {
    const i = at + 1 + n;
    if (i >= buf.length) return INCOMPLETE;
    const byte = buf[i] as number;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return { bodyStart: i + 1, length };
    multiplier *= 128;
  }
  return MALFORMED;
}

export interface PacketGuard {
  /** Hands to `pass` the whole packets `chunk` completes, if any; nothing once it has refused. */
  take(chunk: Buffer, pass: (packets: Buffer) => void): void;
}

export function createPacketGuard({
  maxBytes = MAX_PACKET_BYTES,
  maxClientIdLength = MAX_CLIENT_ID_BYTES,
  onRefused,
}: PacketGuardOptions): PacketGuard {
  const rules = { maxClientIdLength };
  let connected = false;
  let stopped = false;
  // Bytes of a packet that has not fully arrived, and how many bytes that packet needs in all
  // (0 while its fixed header is itself incomplete).
  let held: Buffer[] = [];
  let heldLength = 0;
  let needed = 0;

  // Packets before a refused one still pass: they were valid, and the refusal follows them.
  const refuse = (buf: Buffer, at: number, pass: (packets: Buffer) => void, refusal: Refusal) => {
    stopped = true;
    if (at > 0) pass(buf.subarray(0, at));
    onRefused(refusal);
  };

  return {
    take(chunk, pass) {
      if (stopped) return;
      if (heldLength > 0 && needed > 0 && heldLength + chunk.length < needed) {
        held.push(chunk);
        heldLength += chunk.length;
        return;
      }
      let buf = chunk;
      if (heldLength > 0) {
        buf = Buffer.concat([...held, chunk]);
        held = [];
        heldLength = 0;
      }
      needed = 0;
      let at = 0;
      while (buf.length - at >= 2) {
        const header = readFixedHeader(buf, at);
        if (header === INCOMPLETE) break;
        if (typeof header === 'number')
          return refuse(buf, at, pass, {
            ok: false,
            rule: 'MQTT-2.2.3',
            reason: 'remaining length takes more than four bytes',
          });
        if (header.length > maxBytes)
          return refuse(buf, at, pass, {
            ok: false,
            rule: 'size-limit',
            reason: `packet of ${header.length} bytes is over the ${maxBytes}-byte limit`,
          });
        const end = header.bodyStart + header.length;
        if (end > buf.length) {
          needed = end - at;
          break;
        }
        const first = buf[at] as number;
        const type = first >> 4;
        const verdict = checkPacket(
          type,
          first & 0x0f,
          buf.subarray(header.bodyStart, end),
          connected,
          rules,
        );
        if (!verdict.ok) return refuse(buf, at, pass, verdict);
        if (type === PACKET.CONNECT) connected = true;
        at = end;
      }
      if (at < buf.length) {
        held = [buf.subarray(at)];
        heldLength = buf.length - at;
      }
      if (at > 0) pass(buf.subarray(0, at));
    },
  };
}
