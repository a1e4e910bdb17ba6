// A lean keep-alive HTTP client for latency benches: node:http on one reused socket with Nagle off.
// fetch (undici) adds ~0.3 ms of its own per request here, which would be charged to the hub.
import { Agent, request } from 'node:http';

export interface LeanClient {
  post(path: string, body: string): Promise<{ status: number; body: string }>;
  close(): void;
}

export function leanClient(baseUrl: string, token: string): LeanClient {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agent.on('free', (socket) => socket.setNoDelay(true));
  return {
    post(path, body) {
      return new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path,
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
            res.on('error', reject);
          },
        );
        req.on('socket', (s) => s.setNoDelay(true));
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
