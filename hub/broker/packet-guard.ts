// Drops connections that send a packet larger than the hub will ever accept, before the parser
// buffers it: reads each MQTT fixed header (type byte + variable-length "remaining length") as
// bytes stream past, without copying payloads.
import { Transform, type TransformCallback } from 'node:stream';

export const MAX_PACKET_BYTES = 256 * 1024;

export function createPacketGuard(
  maxBytes = MAX_PACKET_BYTES,
  onTooLarge: (size: number) => void = () => undefined,
): Transform {
  // State across chunks: bytes of the current packet body still to skip, or header decoding.
  let skip = 0;
  let headerByte = false;
  let lengthValue = 0;
  let lengthMultiplier = 1;
  let lengthBytes = 0;
  let inLength = false;

  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      let i = 0;
      while (i < chunk.length) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length - i);
          skip -= n;
          i += n;
          continue;
        }
        if (!headerByte) {
          headerByte = true;
          inLength = true;
          lengthValue = 0;
          lengthMultiplier = 1;
          lengthBytes = 0;
          i++;
          continue;
        }
        if (inLength) {
          const byte = chunk[i] as number;
          lengthValue += (byte & 0x7f) * lengthMultiplier;
          lengthMultiplier *= 128;
          lengthBytes++;
          i++;
          if ((byte & 0x80) === 0 || lengthBytes === 4) {
            inLength = false;
            headerByte = false;
            if (lengthValue > maxBytes) {
              onTooLarge(lengthValue);
              return done(new Error(`packet of ${lengthValue} bytes is over the ${maxBytes}-byte limit`));
            }
            skip = lengthValue;
          }
        }
      }
      done(null, chunk);
    },
  });
}
