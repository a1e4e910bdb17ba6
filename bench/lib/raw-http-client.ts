// A minimal HTTP/1.1 keep-alive client over one raw TCP socket (Nagle off), for latency benches:
// the request is written in one segment and only the status line, content-length and body are
// read, so the load driver's own HTTP stack adds as little as a load tool's (wrk, autocannon) to
// what is measured. Only for the hub's own answers: every response carries a content-length. Over
// https it is the same over one TLS session, verified against the CA given.
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawHttpClient {
  post(path: string, body: string): Promise<{ status: number; body: string }>;
  close(): void;
}

export async function rawHttpClient(baseUrl: string, token: string, ca?: string): Promise<RawHttpClient> {
  const url = new URL(baseUrl);
  const socket: Socket = await new Promise((resolve, reject) => {
    const target = { host: url.hostname, port: Number(url.port) };
    const s =
      url.protocol === 'https:'
        ? tlsConnect({ ...target, ca, ...(isIP(url.hostname) ? {} : { servername: url.hostname }) }, () =>
            resolve(s),
          )
        : netConnect({ ...target, noDelay: true }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve: (r: { status: number; body: string }) => void; reject: (e: Error) => void } | null =
    null;
  const tryParse = () => {
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0 || !waiting) return;
    const head = buffered.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? Number.NaN);
    if (Number.isNaN(length)) return waiting.reject(new Error(`no content-length in: ${head}`));
    if (buffered.length < end + 4 + length) return;
    const status = Number(head.slice(9, 12));
    const body = buffered.subarray(end + 4, end + 4 + length).toString('utf8');
    buffered = buffered.subarray(end + 4 + length);
    const w = waiting;
    waiting = null;
    w.resolve({ status, body });
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    tryParse();
  });
  socket.on('error', (err) => waiting?.reject(err));
  socket.on('close', () => waiting?.reject(new Error('connection closed')));
  const host = `${url.hostname}:${url.port}`;
  return {
    post(path, body) {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(
          `POST ${path} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${token}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      });
    },
    close: () => socket.destroy(),
  };
}
