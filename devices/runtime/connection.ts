// The device's MQTT link: one mqtt.js client per attempt over a TCP socket with Nagle off (DESIGN:
// measured facts), a persistent session (clean: false) and a retained `offline` will. mqtt.js's own
// fixed-interval reconnect is off; we reconnect forever ourselves with full-jitter backoff, cycling
// through the addresses the locator strategies find. A device that holds the hub's CA speaks only
// MQTT over TLS, verifies the hub's certificate by name or address, refuses a hub it cannot verify,
// and resumes its TLS session on reconnect.
import { isIP, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { type BackoffOptions, createBackoff } from '../../shared/backoff.js';
import { formatHubAddress, type HubAddress, type HubLocator, locateHub } from './hub-locator.js';

export interface ConnectionDeps {
  clientId: string;
  username: string;
  password: string;
  will: { topic: string; payload: string };
  locators: readonly HubLocator[];
  /** The hub CA (PEM): when set, only mqtts addresses are tried, and the hub must verify against it. */
  trust?: string | undefined;
  backoff: BackoffOptions;
  keepaliveSec: number;
  log: Logger;
  /** Called on every CONNACK; subscribe and announce here. */
  onConnect(client: MqttClient, info: { sessionPresent: boolean; address: HubAddress }): void;
  onMessage(topic: string, payload: Buffer): void;
  onClose(): void;
}

export interface Connection {
  start(): void;
  /** Graceful: publishes `lastWords` (if any) and disconnects; the will is not sent. */
  stop(lastWords?: { topic: string; payload: string }): Promise<void>;
  /** Power cut: the socket vanishes without DISCONNECT (the broker sends the will); no reconnect. */
  kill(): void;
  /** Network fault: the socket vanishes; the device reconnects with backoff as after any outage. */
  drop(): void;
  readonly client: MqttClient | null;
  readonly connected: boolean;
  readonly attempts: number;
}

/** A cached address that does not answer TCP within this is given up for the next. */
export const TCP_CONNECT_TIMEOUT_MS = 3000;
/** Over TLS: from TCP connected to CONNACK (handshake included). */
export const TLS_CONNACK_TIMEOUT_MS = 15_000;

export function createConnection(deps: ConnectionDeps): Connection {
  const backoff = createBackoff(deps.backoff);
  let client: MqttClient | null = null;
  let connected = false;
  let stopped = true;
  let retryTimer: NodeJS.Timeout | undefined;
  let candidates: HubAddress[] = [];
  let next = 0;
  // Rounds alternate: cached addresses alone, then with the fallback strategies (mDNS) too, so a
  // hub that moved is found again while a hub at its cached address costs no browse.
  let includeFallback = false;
  let loggedFailure = false;
  let loggedSkipped = false;
  // The last TLS session the hub gave us: a reconnect (a surge after a hub restart) resumes it.
  const sessions = new Map<string, Buffer>();
  const usable = (a: HubAddress) => a.tls === (deps.trust !== undefined);

  const scheduleRetry = () => {
    if (stopped || retryTimer) return;
    const delay = backoff.next();
    deps.log.debug({ delay, attempt: backoff.attempts }, 'reconnecting');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      tryAttempt();
    }, delay);
  };

  const nextAddress = async (): Promise<HubAddress | undefined> => {
    if (next >= candidates.length) {
      const onError = (name: string, err: unknown) =>
        deps.log.warn({ err, locator: name }, 'hub locator failed');
      const located = async (fallback: boolean) => {
        const all = await locateHub(deps.locators, onError, fallback);
        const kept = all.filter(usable);
        if (kept.length < all.length && !loggedSkipped) {
          loggedSkipped = true;
          deps.log.warn(
            { skipped: all.filter((a) => !usable(a)).map(formatHubAddress) },
            deps.trust
              ? 'this device trusts the hub CA and speaks only MQTT over TLS; plain addresses skipped'
              : 'this image has no hub CA, so it cannot verify a TLS hub; re-flash it to use TLS',
          );
        }
        return kept;
      };
      candidates = await located(includeFallback);
      if (candidates.length === 0 && !includeFallback) candidates = await located(true);
      includeFallback = !includeFallback;
      next = 0;
    }
    const address = candidates[next];
    next += 1;
    return address;
  };

  const attempt = async () => {
    if (stopped) return;
    const address = await nextAddress();
    if (stopped) return;
    if (!address) {
      if (!loggedFailure) deps.log.warn('no hub address known yet; retrying');
      loggedFailure = true;
      return scheduleRetry();
    }
    const options: IClientOptions = {
      clientId: deps.clientId,
      username: deps.username,
      password: deps.password,
      protocolVersion: 4,
      clean: false,
      keepalive: deps.keepaliveSec,
      reconnectPeriod: 0,
      // A hub on the LAN answers in milliseconds; a dead cached address should not cost long. Over
      // TLS the TCP connect alone has that bound (openStream); the handshake and CONNACK get longer,
      // so a hub busy with a reconnect surge of handshakes is not abandoned half-way and retried.
      connectTimeout: address.tls ? TLS_CONNACK_TIMEOUT_MS : TCP_CONNECT_TIMEOUT_MS,
      resubscribe: false,
      will: { topic: deps.will.topic, payload: Buffer.from(deps.will.payload), qos: 1, retain: true },
    };
    const c = new MqttClient(() => openStream(address), options);
    client = c;
    c.on('connect', (connack) => {
      if (client !== c) return;
      connected = true;
      loggedFailure = false;
      includeFallback = false;
      backoff.reset();
      next = 0;
      candidates = [address, ...candidates.filter((a) => a !== address)];
      deps.log.info(
        { address: formatHubAddress(address), sessionPresent: connack.sessionPresent },
        'connected',
      );
      deps.onConnect(c, { sessionPresent: connack.sessionPresent, address });
    });
    c.on('message', (topic, payload) => {
      if (client === c) deps.onMessage(topic, payload);
    });
    c.on('error', (err) => {
      const code = (err as { code?: string }).code ?? '';
      if (address.tls && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(code))
        deps.log.error(
          { err: err.message, code, address: formatHubAddress(address) },
          'refusing the hub: its certificate does not verify against the hub CA this device holds',
        );
      else if (!loggedFailure)
        deps.log.warn({ err: err.message, address: formatHubAddress(address) }, 'connection failed');
      loggedFailure = true;
    });
    c.on('close', () => {
      if (client !== c) return;
      client = null;
      c.end(true);
      if (connected) {
        connected = false;
        deps.log.info('disconnected');
        deps.onClose();
      }
      scheduleRetry();
    });
  };

  const openStream = (address: HubAddress) => {
    if (!address.tls || deps.trust === undefined)
      return netConnect({ host: address.host, port: address.port, noDelay: true });
    const key = formatHubAddress(address);
    const session = sessions.get(key);
    const socket = tlsConnect({
      host: address.host,
      port: address.port,
      ca: deps.trust,
      // SNI takes names only; an address is checked against the certificate's IP SANs.
      ...(isIP(address.host) ? {} : { servername: address.host }),
      ...(session ? { session } : {}),
      rejectUnauthorized: true,
    });
    socket.setNoDelay(true);
    socket.on('session', (s: Buffer) => sessions.set(key, s));
    const deadAddress = setTimeout(
      () => socket.destroy(new Error(`no TCP connection to ${key} within ${TCP_CONNECT_TIMEOUT_MS} ms`)),
      TCP_CONNECT_TIMEOUT_MS,
    );
    socket.once('connect', () => clearTimeout(deadAddress));
    socket.once('close', () => clearTimeout(deadAddress));
    return socket;
  };

  const tryAttempt = () => {
    attempt().catch((err: unknown) => {
      deps.log.error({ err }, 'connection attempt failed');
      client = null;
      scheduleRetry();
    });
  };

  const forget = () => {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    const c = client;
    client = null;
    connected = false;
    return c;
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      tryAttempt();
    },
    async stop(lastWords) {
      stopped = true;
      const wasConnected = connected;
      const c = forget();
      if (!c) return;
      if (wasConnected && lastWords) {
        await c
          .publishAsync(lastWords.topic, lastWords.payload, { qos: 1, retain: true })
          .catch(() => undefined);
      }
      await c.endAsync(!wasConnected).catch(() => undefined);
    },
    kill() {
      stopped = true;
      const c = forget();
      c?.stream?.destroy();
      c?.end(true);
    },
    drop() {
      client?.stream?.destroy();
    },
    get client() {
      return client;
    },
    get connected() {
      return connected;
    },
    get attempts() {
      return backoff.attempts;
    },
  };
}
