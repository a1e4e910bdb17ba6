// Checks the byte stream in front of the MQTT parser: drops a connection that announces a packet
// larger than the hub will ever accept (before the parser buffers it), and spots a CONNECT with a
// protocol level the parser cannot even parse, so the broker can still answer CONNACK 1
// (MQTT-3.1.2-2). It reads fixed headers as bytes stream past, without copying payloads.
import { Transform, type TransformCallback } from 'node:stream';

export const MAX_PACKET_BYTES = 256 * 1024;

export interface PacketGuardOptions {
  maxBytes?: number;
  onTooLarge?(size: number): void;
  onBadProtocolLevel?(level: number): void;
}

/** Protocol levels 3 (3.1), 4 (3.1.1) and 5 (which aedes answers with CONNACK 1 itself). */
const PARSEABLE_LEVELS = new Set([3, 4, 5]);

export function createPacketGuard({
  maxBytes = MAX_PACKET_BYTES,
  onTooLarge = () => undefined,
  onBadProtocolLevel = () => undefined,
}: PacketGuardOptions = {}): Transform {
  let skip = 0;
  let inHeader = false;
  let lengthValue = 0;
  let lengthMultiplier = 1;
  let lengthBytes = 0;
  let firstPacket = true;
  let packetType = 0;
  // The first bytes of the first packet's body, enough to read a CONNECT's protocol level.
  const connectHead: number[] = [];
  let stopped = false;

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      if (stopped) return done();
      let i = 0;
      while (i < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - i);
          if (firstPacket && packetType === 1) {
            for (let k = 0; k < n && connectHead.length < 16; k++) connectHead.push(chunk[i + k] as number);
            const nameLength = ((connectHead[0] ?? 0) << 8) | (connectHead[1] ?? 0);
            if (connectHead.length >= nameLength + 3) {
              const level = connectHead[nameLength + 2] as number;
              firstPacket = false;
              if (!PARSEABLE_LEVELS.has(level)) {
                stopped = true;
                onBadProtocolLevel(level);
                return done();
              }
            }
          }
          skip -= n;
          i += n;
          if (skip === 0) firstPacket = false;
          continue;
        }
        if (!inHeader) {
          inHeader = true;
          packetType = (chunk[i] as number) >> 4;
          lengthValue = 0;
          lengthMultiplier = 1;
          lengthBytes = 0;
          i++;
          continue;
        }
        const byte = chunk[i] as number;
        lengthValue += (byte & 0x7f) * lengthMultiplier;
        lengthMultiplier *= 128;
        lengthBytes++;
        i++;
        if ((byte & 0x80) === 0 || lengthBytes === 4) {
          inHeader = false;
          if (lengthValue > maxBytes) {
            onTooLarge(lengthValue);
            return done(new Error(`packet of ${lengthValue} bytes is over the ${maxBytes}-byte limit`));
          }
          skip = lengthValue;
          if (skip === 0) firstPacket = false;
        }
      }
      done(null, chunk);
    },
  });
}
