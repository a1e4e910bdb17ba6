// HTTP to a hub at an address or over a Unix socket (a forwarder into a test namespace, netns.ts):
// the raw answer for checks on encodings and bytes, and a fetch-shaped one for the rest.
import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A TCP address, or the path of a Unix socket. */
export type HttpTarget = { host: string; port: number } | { socketPath: string };

export function rawRequest(
  to: HttpTarget,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ ...to, path, method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const NO_BODY = new Set([101, 204, 205, 304]);

/** fetch's answer for a request over the socket (headers as a Headers, the body as a stream). */
export async function socketFetch(
  socketPath: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  const body = typeof init.body === 'string' ? init.body : undefined;
  const raw = await rawRequest({ socketPath }, path, {
    method: init.method ?? 'GET',
    headers,
    ...(body ? { body } : {}),
  });
  const out = new Headers();
  for (const [k, v] of Object.entries(raw.headers)) for (const one of [v ?? []].flat()) out.append(k, one);
  return new Response(NO_BODY.has(raw.status) ? null : new Uint8Array(raw.body), {
    status: raw.status,
    headers: out,
  });
}
