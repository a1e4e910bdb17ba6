// MQTT over WebSocket on the hub's HTTP(S) servers, whichever broker is behind: upgrades on one
// path (and only those `accept` lets in) become byte streams handed to `onStream` — the embedded
// broker's intake, or in mosquitto mode a pipe to mosquitto. ws is loaded on the first upgrade:
// most homes never use it, and the hub's memory budget is per device.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { Logger } from '../infra/log.js';

export interface WebSocketUpgrade {
  attach(server: Server, path: string, accept: (req: IncomingMessage) => boolean): void;
  /** Refuses further upgrades and closes the WebSocket server (its clients go with it). */
  close(): Promise<void>;
}

export function createWebSocketUpgrade(
  log: Logger,
  onStream: (conn: Duplex, remote: string | undefined) => void,
): WebSocketUpgrade {
  let wss:
    | Promise<{ server: WebSocketServer; stream: typeof import('ws').createWebSocketStream }>
    | undefined;
  return {
    attach(server, path, accept) {
      server.on('upgrade', (req: IncomingMessage, socket, head) => {
        if (new URL(req.url ?? '/', 'http://x').pathname !== path || !accept(req)) return socket.destroy();
        (socket as Socket).setNoDelay?.(true);
        wss ??= import('ws').then(({ WebSocketServer, createWebSocketStream }) => ({
          server: new WebSocketServer({ noServer: true }),
          stream: createWebSocketStream,
        }));
        wss.then(
          ({ server: ws, stream }) =>
            ws.handleUpgrade(req, socket, head, (client) =>
              onStream(stream(client), req.socket.remoteAddress),
            ),
          (err: unknown) => {
            log.error({ err }, 'MQTT over WebSocket unavailable');
            socket.destroy();
          },
        );
      });
    },
    async close() {
      await wss?.then(({ server }) => server.close()).catch(() => undefined);
    },
  };
}
