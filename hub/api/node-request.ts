// The request as node:http parsed it, when the hub serves over node:http. @hono/node-server builds
// the web Request (Headers, AbortController, a body ReadableStream) only when something asks for
// it; on the command path that was 11% of the hub's CPU, so hot reads go to node's objects.
// In-process requests (`app.request()` in tests) have no IncomingMessage and use the web Request.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export const incomingOf = (c: Context): IncomingMessage | undefined =>
  (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;

/** A request header by its lower-case name; a repeated header reads as its first value. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = incomingOf(c);
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
