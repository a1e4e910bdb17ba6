// Plain HTTP from the LAN is for first contact only: the app shell, pairing and the hub CA in the
// forms phones install. Everything else (tokens, device secrets, commands) answers 403 there and
// points at the HTTPS address. A request from this machine (loopback) never crosses the Wi-Fi, so
// the CLI and scripts keep the whole API on plain HTTP.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { MiddlewareHandler } from 'hono';
import { HearthError } from '../../shared/errors.js';
import { incomingOf } from './node-request.js';
import type { ApiEnv } from './route-module.js';

/** What plain HTTP serves to the LAN (and the app's modules, under /assets/). */
export const FIRST_CONTACT_PATHS: ReadonlySet<string> = new Set([
  '/',
  '/index.html',
  '/app.css',
  '/manifest.webmanifest',
  '/icon-192.png',
  '/icon-512.png',
  '/favicon.ico',
  '/sw.js',
  '/api/v1/hub',
  '/api/v1/pair',
  '/ca.crt',
  '/ca.der',
  '/ca.mobileconfig',
]);

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** Whether a request came in clear from another machine. */
export function isPlainFromLan(req: IncomingMessage): boolean {
  return !(req.socket as TLSSocket).encrypted && !isLoopback(req.socket.remoteAddress);
}

export function plainHttpGate(httpsUrl: (host: string) => string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const incoming = incomingOf(c);
    const path = c.req.path;
    if (
      !incoming ||
      !isPlainFromLan(incoming) ||
      FIRST_CONTACT_PATHS.has(path) ||
      path.startsWith('/assets/')
    )
      return next();
    const https = httpsUrl(incoming.headers.host ?? '');
    throw new HearthError(
      'forbidden',
      `over plain HTTP this hub serves only pairing and its CA; trust the hub's CA and use ${https}`,
      { https },
    );
  };
}
