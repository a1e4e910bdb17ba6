// How a client connection reaches aedes, over TCP, TLS or WebSocket alike: through the packet
// guard, which refuses what breaks MQTT 3.1.1 before aedes's parser sees it (with the CONNACK code
// the spec gives, else by closing), counting each refusal by rule.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Aedes } from 'aedes';
import type { HubContext } from '../core/context.js';
import { guardedStream } from './guarded-stream.js';
import { createPacketGuard } from './packet-guard.js';
import { createWebSocketUpgrade } from './websocket-upgrade.js';

export function createConnectionIntake(ctx: HubContext, broker: () => Aedes | undefined) {
  const log = ctx.log.child({ module: 'broker' });
  const protocolErrors = ctx.metrics.counter(
    'hearth_mqtt_protocol_errors_total',
    'MQTT connections ended for breaking MQTT 3.1.1, by spec rule',
  );
  const sockets = new Set<Socket>();

  const connection = (conn: Duplex, remote: string | undefined) => {
    const guard = createPacketGuard({
      onRefused(refusal) {
        protocolErrors.inc({ rule: refusal.rule });
        if (refusal.connack) {
          log.info(
            { remote, rule: refusal.rule, returnCode: refusal.connack },
            `CONNECT refused: ${refusal.reason}`,
          );
          conn.end(Buffer.from([0x20, 0x02, 0x00, refusal.connack]));
        } else {
          log.warn(
            { remote, rule: refusal.rule },
            `protocol violation; connection closed: ${refusal.reason}`,
          );
          conn.destroy();
        }
      },
    });
    broker()?.handle(guardedStream(conn, guard));
  };
  const webSocket = createWebSocketUpgrade(log, connection);

  return {
    /** For the TCP and TLS servers. */
    socket(socket: Socket) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      // A reset or broken pipe ends this client only; without a listener it would end the hub.
      socket.on('error', (err) => log.debug({ err, remote: socket.remoteAddress }, 'MQTT socket error'));
      connection(socket, socket.remoteAddress);
    },
    /** MQTT over WebSocket on an HTTP(S) server; `accept` may refuse an upgrade. */
    attachWebSocket(server: Server, path: string, accept: (req: IncomingMessage) => boolean) {
      webSocket.attach(server, path, accept);
    },
    closeWebSocket: () => webSocket.close(),
    /** Ends every TCP and TLS connection still open (after aedes has closed). */
    destroySockets() {
      for (const s of sockets) s.destroy();
    },
  };
}
