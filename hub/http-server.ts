// The hub's HTTP and HTTPS listeners: hono on node:http (or node:https with the hub's certificate,
// renewed in place) with Nagle off, a large accept backlog (a reconnect surge overflowed Node's
// default 511), and a stop that waits neither for open SSE streams nor for WebSocket clients.
import type { Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { ApiEnv } from './api/route-module.js';

export const LISTEN_BACKLOG = 4096;

export interface HttpServer {
  server: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
  /** HTTPS only: serve a re-issued certificate to new connections. */
  renew(options: SecureContextOptions): void;
}

export function createHttpServer(app: Hono<ApiEnv>, tls?: SecureContextOptions): HttpServer {
  const server = createAdaptorServer({
    fetch: app.fetch,
    ...(tls ? { createServer: createHttpsServer } : {}),
    serverOptions: { noDelay: true, keepAliveTimeout: 65_000, ...tls },
  }) as Server;
  // Every socket, so a stop can end the upgraded ones (MQTT over WebSocket) too: the HTTP server
  // no longer manages those, yet server.close() waits for them.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, LISTEN_BACKLOG, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    renew(options) {
      (server as unknown as HttpsServer).setSecureContext(options);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
