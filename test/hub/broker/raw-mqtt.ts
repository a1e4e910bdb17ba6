// Speaks MQTT as raw bytes, to send what well-behaved clients never would.
import { connect, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** Every byte received so far. */
  received(): Buffer;
  /** Resolves with every byte received until the server closes the connection. */
  closed: Promise<Buffer>;
  send(bytes: Buffer | number[]): void;
  /** Resolves once at least `n` bytes have arrived (or the connection closed first). */
  bytes(n: number): Promise<Buffer>;
}

export function rawConnect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host, noDelay: true }, () => {
      let all = Buffer.alloc(0);
      const waiters: Array<() => void> = [];
      socket.on('data', (c) => {
        all = Buffer.concat([all, c]);
        for (const w of waiters.splice(0)) w();
      });
      const closed = new Promise<Buffer>((r) =>
        socket.once('close', () => {
          for (const w of waiters.splice(0)) w();
          r(all);
        }),
      );
      const bytes = (n: number): Promise<Buffer> =>
        all.length >= n || socket.destroyed
          ? Promise.resolve(all)
          : new Promise<void>((r) => waiters.push(r)).then(() => bytes(n));
      resolve({
        socket,
        closed,
        bytes,
        received: () => all,
        send: (b) => socket.write(Buffer.isBuffer(b) ? b : Buffer.from(b)),
      });
    });
    socket.once('error', reject);
  });
}

/** A length-prefixed MQTT string (or binary) field. */
export const str = (s: string | Buffer) => {
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

export function packet(firstByte: number, body: Buffer | number[]): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([Buffer.from([firstByte, ...remainingLength(b.length)]), b]);
}

export interface ConnectOptions {
  clientId: string | Buffer;
  clean?: boolean;
  protocol?: string;
  level?: number;
  /** Raw bits OR-ed into the connect flags (to set reserved or inconsistent ones). */
  flagsExtra?: number;
  username?: string | Buffer;
  password?: string;
  will?: { topic: string | Buffer; payload: string; qos: 0 | 1 | 2 | 3; retain?: boolean };
  /** Bytes appended after the payload. */
  trailing?: Buffer;
}

export function connectPacket(o: ConnectOptions): Buffer {
  let flags = ((o.clean ?? true) ? 0x02 : 0) | (o.flagsExtra ?? 0);
  if (o.username !== undefined) flags |= 0x80;
  if (o.password !== undefined) flags |= 0x40;
  if (o.will) flags |= 0x04 | (o.will.qos << 3) | (o.will.retain ? 0x20 : 0);
  const parts: Buffer[] = [
    str(o.protocol ?? 'MQTT'),
    Buffer.from([o.level ?? 4, flags, 0, 60]),
    str(o.clientId),
  ];
  if (o.will) parts.push(str(o.will.topic), str(o.will.payload));
  if (o.username !== undefined) parts.push(str(o.username));
  if (o.password !== undefined) parts.push(str(o.password));
  if (o.trailing) parts.push(o.trailing);
  return packet(0x10, Buffer.concat(parts));
}

export function subscribePacket(id: number, filter: string | Buffer, firstByte = 0x82, options = 1): Buffer {
  return packet(
    firstByte,
    Buffer.concat([Buffer.from([id >> 8, id & 0xff]), str(filter), Buffer.from([options])]),
  );
}

export function unsubscribePacket(id: number, filters: Array<string | Buffer>, firstByte = 0xa2): Buffer {
  return packet(firstByte, Buffer.concat([Buffer.from([id >> 8, id & 0xff]), ...filters.map(str)]));
}

export function publishPacket(
  topic: string | Buffer,
  payload: string,
  qos: 0 | 1 | 2,
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
