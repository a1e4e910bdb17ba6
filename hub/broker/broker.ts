// The embedded MQTT broker: aedes on TCP (Nagle off, large backlog) and on WebSocket at /mqtt,
// every client authenticated, every publish and subscription checked against the ACL, new
// connections admitted at a steady rate. The hub itself publishes and subscribes in-process.
import type { IncomingMessage, Server } from 'node:http';
import { type AddressInfo, createServer, type Server as NetServer, type Socket } from 'node:net';
import {
  createServer as createTlsServer,
  type SecureContextOptions,
  type Server as TlsServer,
} from 'node:tls';
import { Aedes, type AedesPublishPacket, type Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import type { WebSocketServer } from 'ws';
import type { AuthInfo } from '../api/route-module.js';
import type { HubContext, HubMessaging, Unit } from '../context.js';
import { canPublish, canSubscribe, claimIdOf, type Identity } from './acl.js';
import { createAdmission } from './admission.js';
import { guardedStream } from './guarded-stream.js';
import { createPacketGuard } from './packet-guard.js';
import { indexedMemoryPersistence } from './retained-index.js';

export interface BrokerAuth {
  verifyDevice(deviceId: string, secret: string): boolean;
  verifyToken(token: string): AuthInfo | null;
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
/** A connection that has not sent CONNECT by then is dropped (TARGETS.md: ≤ 10 s). */
export const CONNECT_TIMEOUT_MS = 5000;

type AuthError = Error & { returnCode: 2 | 4 | 5 };
const refuse = (returnCode: 2 | 4 | 5, message: string): AuthError =>
  Object.assign(new Error(message), { returnCode });

const identities = new WeakMap<Client, Identity>();
const rejectIdentifier = new WeakSet<Client>();

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

  const handleSocket = (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset or broken pipe ends this client only; without a listener it would end the hub.
    socket.on('error', (err) => log.debug({ err, remote: socket.remoteAddress }, 'MQTT socket error'));
    const guard = createPacketGuard({
      onTooLarge(size) {
        log.warn({ remote: socket.remoteAddress, size }, 'oversized packet; connection dropped');
        socket.destroy();
      },
      onBadProtocolLevel(level) {
        // MQTT-3.1.2-2: answer CONNACK 1 (unacceptable protocol level), then disconnect.
        log.info({ remote: socket.remoteAddress, level }, 'unsupported protocol level; CONNACK 1');
        socket.end(Buffer.from([0x20, 0x02, 0x00, 0x01]));
      },
    });
    socket.pipe(guard);
    aedes?.handle(guardedStream(socket, guard));
  };

  const authenticate = (
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Identity => {
    if (rejectIdentifier.has(client)) throw refuse(2, 'empty client id needs clean session');
    const id = client.id;
    const secret = password?.toString('utf8') ?? '';
    if (username === 'token') {
      const who = auth.verifyToken(secret);
      if (!who) throw refuse(4, 'unknown or revoked token');
      return { kind: 'user', tokenId: who.tokenId, scopes: who.scopes };
    }
    if (username === undefined && password === undefined) {
      const claimId = claimIdOf(id);
      if (!claimId) throw refuse(5, 'anonymous clients may only provision (client id claim-<id>)');
      return { kind: 'claim', claimId };
    }
    if (username !== id) throw refuse(4, 'device username must equal its client id');
    if (!auth.verifyDevice(id, secret)) throw refuse(4, 'wrong device id or secret');
    return { kind: 'device', deviceId: id };
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
        maxClientsIdLength: 64,
        preConnect(client, packet, done) {
          // MQTT-3.1.3-8: an empty client id with clean session 0 gets CONNACK 2. aedes would
          // invent an id; mark it here and refuse in authenticate, which sends the CONNACK.
          if (packet.clientId === '' && !packet.clean) rejectIdentifier.add(client);
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
          if (!client) return done(null); // the hub's own in-process publishes
          // MQTT-2.3.1-1: QoS > 0 needs a non-zero packet id; the parser lets 0 through.
          if (packet.qos > 0 && !packet.messageId) return done(new Error('QoS > 0 publish with packet id 0'));
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
            ws.handleUpgrade(req, socket, head, (client) => aedes?.handle(stream(client), req)),
          (err: unknown) => {
            log.error({ err }, 'MQTT over WebSocket unavailable');
            socket.destroy();
          },
        );
      });
    },
    clientCount: () => aedes?.connectedClients ?? 0,
    kick(clientId) {
      const clients = (aedes as unknown as { clients: Record<string, Client> } | undefined)?.clients;
      clients?.[clientId]?.close();
    },
    onClient(listener) {
      listeners.push(listener);
    },
    onSubscribed(listener) {
      subscribeListeners.push(listener);
    },
    async stop() {
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
