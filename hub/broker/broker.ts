// The embedded MQTT broker: aedes on TCP (Nagle off, large backlog), on TLS and on WebSocket at
// /mqtt, every client authenticated, every publish and subscription checked against the ACL, new
// connections admitted at a steady rate (access-hooks.ts), every packet through the packet guard
// (connection-intake.ts). The hub itself publishes and subscribes in-process.
import type { IncomingMessage, Server } from 'node:http';
import { type AddressInfo, createServer, type Server as NetServer } from 'node:net';
import {
  createServer as createTlsServer,
  type SecureContextOptions,
  type Server as TlsServer,
} from 'node:tls';
import { Aedes, type Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import type { HubContext, HubMessaging } from '../core/context.js';
import type { Unit } from '../infra/unit.js';
import { createAccessHooks, endRevokedSessions } from './access-hooks.js';
import type { Identity } from './acl.js';
import { createAdmission } from './admission.js';
import type { BrokerAuth } from './client-auth.js';
import { createConnectionIntake } from './connection-intake.js';
import { inProcessMessaging } from './in-process-messaging.js';
import { MAX_CLIENT_ID_BYTES } from './packet-guard.js';
import { indexedMemoryPersistence } from './retained-index.js';

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
  /**
   * The hub is about to stop its units. On mosquitto the hub's subscriptions then stay in its
   * persistent session as the units let go of them, so what devices send while the hub is away
   * waits there, as after a crash.
   */
  stopping?(): void;
}

export const LISTEN_BACKLOG = 4096;
/** A connection that has not sent CONNECT by then is dropped (the target is within 10 s). */
export const CONNECT_TIMEOUT_MS = 5000;

export function createBroker(ctx: HubContext, auth: BrokerAuth): BrokerUnit {
  const log = ctx.log.child({ module: 'broker' });
  const { config, metrics } = ctx;
  const tlsHandshakes = metrics.counter(
    'hearth_mqtt_tls_handshakes_total',
    'MQTT over TLS handshakes completed, by whether the session was resumed',
  );
  const connections = metrics.counter('hearth_mqtt_connections_total', 'MQTT connection attempts, by result');
  const admission = createAdmission(config.admission.connectsPerSecond, config.admission.burst);
  const claimAdmission = createAdmission(5, 20, 100);
  const identities = new WeakMap<Client, Identity>();
  const listeners: Array<(clientId: string, connected: boolean) => void> = [];
  const subscribeListeners: Array<(clientId: string, filters: string[]) => void> = [];
  let aedes: Aedes | undefined;
  let tcp: NetServer | undefined;
  let tlsServer: TlsServer | undefined;
  let tlsPort = 0;
  let port = 0;
  const intake = createConnectionIntake(ctx, () => aedes);
  /** aedes's own table of connected clients, by client id (not in its typings). */
  const connectedClients = (): Record<string, Client> =>
    (aedes as unknown as { clients: Record<string, Client> } | undefined)?.clients ?? {};

  return {
    name: 'broker',
    messaging: inProcessMessaging(() => aedes),
    get port() {
      return port;
    },
    get tlsPort() {
      return tlsPort;
    },
    async start() {
      aedes = await openAedes(
        createAccessHooks(ctx, auth, identities, { devices: admission, claims: claimAdmission }),
        listeners,
        subscribeListeners,
      );
      // A revoked or changed token's sessions end at once, as a removed device's do (kick).
      endRevokedSessions(ctx, connectedClients, identities);
      metrics.gauge('hearth_mqtt_clients', 'Connected MQTT clients', () => aedes?.connectedClients ?? 0);
      metrics.gauge('hearth_mqtt_admission_queue', 'Connects waiting for admission', () =>
        admission.queued(),
      );
    },
    async listen() {
      if (!config.mqtt.plain) return log.info('plain MQTT is off (mqtt.plain: false)');
      tcp = createServer({ noDelay: true }, intake.socket);
      port = await listenOn(tcp, config.mqttPort, config.bind);
      log.info({ port, bind: config.bind }, 'MQTT listening');
    },
    async listenTls(options) {
      const server = createTlsServer(
        { ...options, noDelay: true, handshakeTimeout: CONNECT_TIMEOUT_MS },
        intake.socket,
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
      intake.attachWebSocket(server, path, accept);
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
      await intake.closeWebSocket();
      const closed = Promise.all(
        [tcp, tlsServer].map(
          (s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve())),
        ),
      );
      await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()));
      intake.destroySockets();
      await closed;
    },
  };
}
async function openAedes(
  hooks: ReturnType<typeof createAccessHooks>,
  listeners: Array<(clientId: string, connected: boolean) => void>,
  subscribeListeners: Array<(clientId: string, filters: string[]) => void>,
): Promise<Aedes> {
  // mqtt-packet's default builds 65,536 two-byte Buffers for packet ids on first use (~7 MB
  // of heap, 6% of the Pi's budget for 1000 devices); allocating the two bytes per packet
  // costs nothing measurable.
  mqttPacket.writeToStream.cacheNumbers = false;
  const broker = await Aedes.createBroker({
    persistence: indexedMemoryPersistence(),
    connectTimeout: CONNECT_TIMEOUT_MS,
    heartbeatInterval: 60_000,
    queueLimit: 100,
    maxClientsIdLength: MAX_CLIENT_ID_BYTES,
    ...hooks,
  });
  broker.on('clientReady', (client) => {
    for (const l of listeners) l(client.id, true);
  });
  broker.on('clientDisconnect', (client) => {
    for (const l of listeners) l(client.id, false);
  });
  broker.on('subscribe', (subscriptions, client) => {
    if (!client) return;
    const filters = subscriptions.map((s) => s.topic);
    for (const l of subscribeListeners) l(client.id, filters);
  });
  return broker;
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
