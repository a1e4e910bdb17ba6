// MQTT over WebSocket at the hub's /mqtt in mosquitto mode: each upgraded connection is piped to a
// connection of its own to mosquitto, which authenticates it and applies its ACL as for any client
// (the hub only carries bytes). The browser keeps the hub's address, port and certificate.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../infra/log.js';
import { createWebSocketUpgrade, type WebSocketUpgrade } from '../websocket-upgrade.js';

export function createWebSocketPipe(log: Logger, connectBroker: () => Socket): WebSocketUpgrade {
  const open = new Set<Duplex>();
  const upgrade = createWebSocketUpgrade(log, (conn, remote) => {
    const upstream = connectBroker();
    open.add(conn);
    const end = () => {
      open.delete(conn);
      conn.destroy();
      upstream.destroy();
    };
    // Either side failing ends both; without listeners an error would end the hub.
    conn.on('error', (err) => log.debug({ err, remote }, 'MQTT over WebSocket: client error'));
    upstream.on('error', (err) =>
      log.warn({ err: err.message, remote }, 'MQTT over WebSocket: mosquitto error'),
    );
    conn.once('close', end);
    upstream.once('close', end);
    conn.pipe(upstream);
    upstream.pipe(conn);
  });
  return {
    attach: upgrade.attach,
    async close() {
      await upgrade.close();
      // Browsers left connected must not hold the hub up.
      for (const c of [...open]) c.destroy();
    },
  };
}
