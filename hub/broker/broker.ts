// The embedded MQTT broker: aedes on TCP (Nagle off, large backlog) and on WebSocket at /mqtt,
// every client authenticated, every publish and subscription checked against the ACL, new
// connections admitted at a steady rate. The hub itself publishes and subscribes in-process.
import type { IncomingMessage, Server } from 'node:http';
import { type AddressInfo, createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  createServer as createTlsServer,
  type SecureContextOptions,
  type Server as TlsServer,
} from 'node:tls';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import type { WebSocketServer } from 'ws';
import type { HubContext, HubMessaging } from '../core/context.js';
import type { AuthInfo } from '../core/rights.js';
import type { Unit } from '../infra/unit.js';
import { canPublish, canSubscribe, claimIdOf, type Identity } from './acl.js';
import { createAdmission } from './admission.js';
import { guardedStream } from './guarded-stream.js';
import { createPacketGuard, MAX_CLIENT_ID_BYTES } from './packet-guard.js';
import { indexedMemoryPersistence } from './retained-index.js';

export interface BrokerAuth {
  verifyDevice(deviceId: string, secret: string): boolean;
  verifyToken(token: string): AuthInfo | null;
  verifyIntegration(name: string, password: string): { name: string; pub: string[]; sub: string[] } | null;
}

export interface BrokerUnit extends Unit {
  readonly messaging: HubMessaging;
  /** The plain MQTT port; 0 when mqtt.plain is off. */
  readonly port: number;
  /** The MQTT-over-TLS port, once listenTls() has opened it. */
  readonly tlsPort: number;
  /** MQTT over WebSocket on an HTTP(S) server; `accept` may refuse an upgrade (plain HTTP from the LAN). */
  attachWebSocket(server: Server, path?: string, accept?: (req: IncomingMessage) => boolean): void;
  clientCount(): number;
  /** Disconnects a client (a removed device). */
  kick(clientId: string): void;
  /** Called when a client has connected (after CONNACK) or gone; ids are MQTT client ids. */
  onClient(listener: (clientId: string, connected: boolean) => void): void;
  /** Called with the filters a client was granted, after its SUBSCRIBE. */
  onSubscribed(listener: (clientId: string, filters: string[]) => void): void;
  /**
   * Opens the TCP listener. Separate from start() so the hub's own in-process subscribers are in
   * place before the first device can publish (events are not retained: one sent to no one is lost).
   */
  listen(): Promise<void>;
  /** Opens MQTT over TLS on config.mqttTlsPort: the same packet guard and admission as plain TCP. */
  listenTls(options: SecureContextOptions): Promise<void>;
  /** Serves a re-issued certificate to new TLS connections. */
  renewTls(options: SecureContextOptions): void;
}

export const LISTEN_BACKLOG = 4096;
/** A connection that has not sent CONNECT by then is dropped (the target is within 10 s). */
export const CONNECT_TIMEOUT_MS = 5000;

type AuthError = Error & { returnCode: 2 | 4 | 5 };
const refuse = (returnCode: 2 | 4 | 5, message: string): AuthError =>
  Object.assign(new Error(message), { returnCode });

const identities = new WeakMap<Client, Identity>();

export function createBroker(ctx: HubContext, auth: BrokerAuth): BrokerUnit {
  const log = ctx.log.child({ module: 'broker' });
  const { config, metrics } = ctx;
  const connections = metrics.counter('hearth_mqtt_connections_total', 'MQTT connection attempts, by result');
  const authFailures = metrics.counter(
    'hearth_mqtt_auth_failures_total',
    'MQTT authentication refusals, by reason',
  );
  const aclDenied = metrics.counter(
    'hearth_mqtt_acl_denied_total',
    'MQTT publishes/subscriptions refused by the ACL',
  );
  const tlsHandshakes = metrics.counter(
    'hearth_mqtt_tls_handshakes_total',
    'MQTT over TLS handshakes completed, by whether the session was resumed',
  );
  const admission = createAdmission(config.admission.connectsPerSecond, config.admission.burst);
  const claimAdmission = createAdmission(5, 20, 100);
  const listeners: Array<(clientId: string, connected: boolean) => void> = [];
  const subscribeListeners: Array<(clientId: string, filters: string[]) => void> = [];
  let aedes: Aedes | undefined;
  let tcp: NetServer | undefined;
  let tlsServer: TlsServer | undefined;
  let tlsPort = 0;
  // ws is loaded on the first MQTT-over-WebSocket upgrade: most homes never use it, and the hub's
  // memory budget is per device.
  let wss:
    | Promise<{ server: WebSocketServer; stream: typeof import('ws').createWebSocketStream }>
    | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  /** aedes's own table of connected clients, by client id (not in its typings). */
  const connectedClients = (): Record<string, Client> =>
    (aedes as unknown as { clients: Record<string, Client> } | undefined)?.clients ?? {};

  const protocolErrors = metrics.counter(
    'hearth_mqtt_protocol_errors_total',
    'MQTT connections ended for breaking MQTT 3.1.1, by spec rule',
  );

  /** Puts the packet guard in front of aedes for one client connection (TCP or WebSocket). */
  const handleConnection = (conn: Duplex, remote: string | undefined) => {
    const guard = createPacketGuard({
      onRefused(refusal) {
        protocolErrors.inc({ rule: refusal.rule });
        if (refusal.connack) {
          // The spec gives a return code: answer CONNACK with it, then disconnect.
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
    aedes?.handle(guardedStream(conn, guard));
  };

  const handleSocket = (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset or broken pipe ends this client only; without a listener it would end the hub.
    socket.on('error', (err) => log.debug({ err, remote: socket.remoteAddress }, 'MQTT socket error'));
    handleConnection(socket, socket.remoteAddress);
  };

  const authenticate = (
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Identity => {
    const id = client.id;
    const secret = password?.toString('utf8') ?? '';
    if (username === 'token') {
      const who = auth.verifyToken(secret);
      if (!who) throw refuse(4, 'unknown or revoked token');
      return { kind: 'user', tokenId: who.tokenId, role: who.role, grants: who.grants };
    }
    if (username === undefined && password === undefined) {
      const claimId = claimIdOf(id);
      if (!claimId) throw refuse(5, 'anonymous clients may only provision (client id claim-<id>)');
      return { kind: 'claim', claimId };
    }
    // A device connects with username == client id; anyone else by name is an integration user.
    if (username === id && auth.verifyDevice(id, secret)) return { kind: 'device', deviceId: id };
    const user = username === undefined ? null : auth.verifyIntegration(username, secret);
    if (!user) throw refuse(4, 'wrong device id or secret, or unknown MQTT user or password');
    return { kind: 'integration', name: user.name, pub: user.pub, sub: user.sub };
  };

  const messaging: HubMessaging = {
    publish(topic, payload, options = {}) {
      return new Promise((resolve, reject) => {
        if (!aedes) return reject(new Error('broker not started'));
        aedes.publish(
          {
            cmd: 'publish',
            topic,
            payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
            qos: options.qos ?? 0,
            retain: options.retain ?? false,
            dup: false,
          },
          (err) => (err ? reject(err) : resolve()),
        );
      });
    },
    subscribe(filter, handler) {
      return new Promise((resolve, reject) => {
        if (!aedes) return reject(new Error('broker not started'));
        const broker = aedes;
        const deliver = (packet: AedesPublishPacket, done: () => void) => {
          try {
            handler(
              packet.topic,
              Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
            );
          } finally {
            done();
          }
        };
        broker.subscribe(filter, deliver, () =>
          resolve(() => new Promise<void>((r) => broker.unsubscribe(filter, deliver, () => r()))),
        );
      });
    },
  };

  return {
    name: 'broker',
    messaging,
    get port() {
      return port;
    },
    get tlsPort() {
      return tlsPort;
    },
    async start() {
      // mqtt-packet's default builds 65,536 two-byte Buffers for packet ids on first use (~7 MB
      // of heap, 6% of the Pi's budget for 1000 devices); allocating the two bytes per packet
      // costs nothing measurable.
      mqttPacket.writeToStream.cacheNumbers = false;
      aedes = await Aedes.createBroker({
        persistence: indexedMemoryPersistence(),
        connectTimeout: CONNECT_TIMEOUT_MS,
        heartbeatInterval: 60_000,
        queueLimit: 100,
        maxClientsIdLength: MAX_CLIENT_ID_BYTES,
        preConnect(_client, packet, done) {
          const gate = claimIdOf(packet.clientId ?? '') && !packet.username ? claimAdmission : admission;
          gate.admit().then((ok) => {
            if (!ok) connections.inc({ result: 'shed' });
            done(null, ok);
          });
        },
        authenticate(client, username, password, done) {
          try {
            identities.set(client, authenticate(client, username, password));
            connections.inc({ result: 'accepted' });
            done(null, true);
          } catch (err) {
            const e = err as AuthError;
            authFailures.inc({
              reason:
                e.returnCode === 2 ? 'identifier' : e.returnCode === 4 ? 'credentials' : 'not_authorized',
            });
            connections.inc({ result: 'refused' });
            log.info({ clientId: client.id, returnCode: e.returnCode }, `connection refused: ${e.message}`);
            done(e, false);
          }
        },
        authorizePublish(client, packet, done) {
          // The hub's own in-process publishes have no client. A client's will comes here too, with
          // no packet id (MQTT-3.1.2-8: it is published at its own QoS through the same ACL);
          // packet ids and every other protocol rule were checked by the packet guard.
          if (!client) return done(null);
          const who = identities.get(client);
          if (who && canPublish(who, packet.topic)) return done(null);
          aclDenied.inc({ action: 'publish' });
          log.warn(
            { clientId: client.id, topic: packet.topic },
            'publish refused by ACL; disconnecting (MQTT-3.3.5-2)',
          );
          done(new Error(`not allowed to publish to ${packet.topic}`));
        },
        authorizeSubscribe(client, sub, done) {
          const who = identities.get(client);
          if (who && canSubscribe(who, sub.topic)) return done(null, sub);
          aclDenied.inc({ action: 'subscribe' });
          log.info({ clientId: client.id, filter: sub.topic }, 'subscription refused by ACL (SUBACK 0x80)');
          done(null, null);
        },
      });
      // A revoked or changed token's sessions end at once (as a removed device's do, through
      // kick): a client that reconnects does so with the token's new rights.
      ctx.bus.on('token.changed', 'broker', ({ tokenId }) => {
        for (const client of Object.values(connectedClients())) {
          const who = identities.get(client);
          if (who?.kind !== 'user' || who.tokenId !== tokenId) continue;
          log.info({ clientId: client.id, tokenId }, 'token revoked or changed; MQTT session closed');
          client.close();
        }
      });
      ctx.bus.on('mqtt-user.removed', 'broker', ({ name }) => {
        for (const client of Object.values(connectedClients())) {
          const who = identities.get(client);
          if (who?.kind !== 'integration' || who.name !== name) continue;
          log.info({ clientId: client.id, name }, 'MQTT user removed; session closed');
          client.close();
        }
      });
      aedes.on('clientReady', (client) => {
        for (const l of listeners) l(client.id, true);
      });
      aedes.on('clientDisconnect', (client) => {
        for (const l of listeners) l(client.id, false);
      });
      aedes.on('subscribe', (subscriptions, client) => {
        if (!client) return;
        const filters = subscriptions.map((s) => s.topic);
        for (const l of subscribeListeners) l(client.id, filters);
      });
      metrics.gauge('hearth_mqtt_clients', 'Connected MQTT clients', () => aedes?.connectedClients ?? 0);
      metrics.gauge('hearth_mqtt_admission_queue', 'Connects waiting for admission', () =>
        admission.queued(),
      );
    },
    async listen() {
      if (!config.mqtt.plain) return log.info('plain MQTT is off (mqtt.plain: false)');
      tcp = createServer({ noDelay: true }, handleSocket);
      port = await listenOn(tcp, config.mqttPort, config.bind);
      log.info({ port, bind: config.bind }, 'MQTT listening');
    },
    async listenTls(options) {
      const server = createTlsServer(
        { ...options, noDelay: true, handshakeTimeout: CONNECT_TIMEOUT_MS },
        handleSocket,
      );
      tlsServer = server;
      // Resumed sessions skip the certificate signature: what keeps a TLS reconnect surge cheap.
      server.on('secureConnection', (socket) =>
        tlsHandshakes.inc({ resumed: socket.isSessionReused() ? 'yes' : 'no' }),
      );
      // A device with another CA, or a scanner: the handshake fails and only that socket goes.
      server.on('tlsClientError', (err, socket) => {
        connections.inc({ result: 'tls_failed' });
        log.debug({ err: err.message, remote: socket.remoteAddress }, 'MQTT TLS handshake failed');
      });
      tlsPort = await listenOn(server, config.mqttTlsPort, config.bind);
      log.info({ port: tlsPort, bind: config.bind }, 'MQTT over TLS listening');
    },
    renewTls(options) {
      tlsServer?.setSecureContext(options);
    },
    attachWebSocket(server, path = '/mqtt', accept = () => true) {
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
              handleConnection(stream(client), req.socket.remoteAddress),
            ),
          (err: unknown) => {
            log.error({ err }, 'MQTT over WebSocket unavailable');
            socket.destroy();
          },
        );
      });
    },
    clientCount: () => aedes?.connectedClients ?? 0,
    kick(clientId) {
      connectedClients()[clientId]?.close();
    },
    onClient(listener) {
      listeners.push(listener);
    },
    onSubscribed(listener) {
      subscribeListeners.push(listener);
    },
    async stop() {
      ctx.bus.removeOwner('broker');
      admission.close();
      claimAdmission.close();
      await wss?.then(({ server }) => server.close()).catch(() => undefined);
      const closed = Promise.all(
        [tcp, tlsServer].map(
          (s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve())),
        ),
      );
      await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

function listenOn(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, LISTEN_BACKLOG, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
