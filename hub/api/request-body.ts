// Request bodies, bounded and read once: straight from node's IncomingMessage when there is one
// (hono's own body readers, and its bodyLimit's `c.req.raw.body` on every request, make
// @hono/node-server build a web Request with a ReadableStream: 11% of the hub's CPU in the command
// round trip), else from the web Request.
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { HearthError } from '../../shared/errors.js';
import { incomingOf, requestHeader } from './node-request.js';

export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = (limit = MAX_BODY_BYTES) =>
  new HearthError('payload_too_large', `body is larger than ${limit} bytes`);

const declaredLength = (c: Context) => Number(requestHeader(c, 'content-length') ?? 0);

/** Refuses a body that announces more than the limit (or the route's own) before any route reads it. */
export function limitBody(larger: Record<string, number> = {}): MiddlewareHandler {
  return async (c, next) => {
    const limit = larger[c.req.path] ?? MAX_BODY_BYTES;
    if (declaredLength(c) > limit) throw tooLarge(limit);
    await next();
  };
}

function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering and let the rest drain; the 413 goes out meanwhile.
        incoming.off('data', onData);
        incoming.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(Buffer.concat(chunks, size)));
    incoming.once('error', reject);
    incoming.once('close', () => {
      if (!incoming.complete) reject(new HearthError('invalid_payload', 'the request body was cut off'));
    });
  });
}

/** The whole body (at most `limit`, MAX_BODY_BYTES unless a route allows more), or throws payload_too_large. */
export async function readBody(c: Context, limit = MAX_BODY_BYTES): Promise<Buffer> {
  if (declaredLength(c) > limit) throw tooLarge(limit);
  const incoming = incomingOf(c);
  const body = incoming ? await readIncoming(incoming, limit) : Buffer.from(await c.req.arrayBuffer());
  if (body.length > limit) throw tooLarge(limit);
  return body;
}
