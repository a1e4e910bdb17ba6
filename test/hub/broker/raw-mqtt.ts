// Speaks MQTT as raw bytes, to send what well-behaved clients never would.
import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** Resolves with every byte received until the server closes the connection. */
  closed: Promise<Buffer>;
  send(bytes: Buffer | number[]): void;
}

export function rawConnect(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true }, () => {
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      const closed = new Promise<Buffer>((r) => socket.once('close', () => r(Buffer.concat(chunks))));
      resolve({ socket, closed, send: (b) => socket.write(Buffer.isBuffer(b) ? b : Buffer.from(b)) });
    });
    socket.once('error', reject);
  });
}

const str = (s: string | Buffer) => {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
};

function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

export function packet(firstByte: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([firstByte, ...remainingLength(body.length)]), body]);
}

export function connectPacket(o: {
  clientId: string;
  clean?: boolean;
  level?: number;
  flagsExtra?: number;
  username?: string;
  password?: string;
}): Buffer {
  let flags = ((o.clean ?? true) ? 0x02 : 0) | (o.flagsExtra ?? 0);
  if (o.username !== undefined) flags |= 0x80;
  if (o.password !== undefined) flags |= 0x40;
  const parts = [str('MQTT'), Buffer.from([o.level ?? 4, flags, 0, 60]), str(o.clientId)];
  if (o.username !== undefined) parts.push(str(o.username));
  if (o.password !== undefined) parts.push(str(o.password));
  return packet(0x10, Buffer.concat(parts));
}

export function subscribePacket(id: number, filter: string | Buffer, firstByte = 0x82): Buffer {
  return packet(firstByte, Buffer.concat([Buffer.from([id >> 8, id & 0xff]), str(filter), Buffer.from([1])]));
}

export function publishPacket(
  topic: string | Buffer,
  payload: string,
  qos: 0 | 1,
  id = 1,
  firstByteOverride?: number,
): Buffer {
  const header = firstByteOverride ?? 0x30 | (qos << 1);
  const idBytes = qos > 0 ? Buffer.from([id >> 8, id & 0xff]) : Buffer.alloc(0);
  return packet(header, Buffer.concat([str(topic), idBytes, Buffer.from(payload)]));
}

/** CONNACK return code from the first bytes the server sent, or null. */
export function connackCode(received: Buffer): number | null {
  return received[0] === 0x20 && received.length >= 4 ? (received[3] as number) : null;
}
