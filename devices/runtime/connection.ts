// The device's MQTT link: one mqtt.js client per attempt (over the socket hub-socket.ts opens), a
// persistent session (clean: false) and a retained `offline` will. mqtt.js's own fixed-interval
// reconnect is off; we reconnect forever ourselves with full-jitter backoff, cycling through the
// addresses the locator strategies find (hub-rotation.ts). A device that holds the hub's CA speaks
// only MQTT over TLS and refuses a hub it cannot verify.
import { type IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { type Backoff, type BackoffOptions, createBackoff } from '../../shared/backoff.js';
import { formatHubAddress, type HubAddress, type HubLocator } from './hub-locator.js';
import { createHubRotation, type HubRotation } from './hub-rotation.js';
import { createHubSocketOpener } from './hub-socket.js';

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

/**
 * From TCP connected to CONNACK (the TLS handshake included). A hub busy with a reconnect surge
 * answers late but answers: a device that gave up and reconnected would only add to the surge
 * (a 1000-device outage drill took 20-27 s to recover with a 3 s bound, each late CONNACK
 * causing another connect and another session takeover).
 */
export const CONNACK_TIMEOUT_MS = 15_000;

/** One attempt's mqtt.js options: our own reconnect, a persistent session, the retained will. */
function clientOptions(deps: ConnectionDeps): IClientOptions {
  return {
    clientId: deps.clientId,
    username: deps.username,
    password: deps.password,
    protocolVersion: 4,
    clean: false,
    keepalive: deps.keepaliveSec,
    reconnectPeriod: 0,
    // A hub on the LAN answers in milliseconds; a dead cached address should not cost long. Over
    // TLS the TCP connect alone has that bound (hub-socket.ts); the handshake and CONNACK get
    // longer, so a hub busy with a reconnect surge of handshakes is not abandoned half-way.
    connectTimeout: CONNACK_TIMEOUT_MS,
    resubscribe: false,
    will: { topic: deps.will.topic, payload: Buffer.from(deps.will.payload), qos: 1, retain: true },
  };
}

/** A hub that fails TLS verification is always said; other failures once until the next connect. */
function logAttemptError(log: Logger, address: HubAddress, err: Error, quiet: boolean): void {
  const code = (err as { code?: string }).code ?? '';
  if (address.tls && /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(code))
    log.error(
      { err: err.message, code, address: formatHubAddress(address) },
      'refusing the hub: its certificate does not verify against the hub CA this device holds',
    );
  else if (!quiet) log.warn({ err: err.message, address: formatHubAddress(address) }, 'connection failed');
}

export function createConnection(deps: ConnectionDeps): Connection {
  return new HubConnection(deps);
}

/** One device's link to the hub: at most one client at a time, replaced after every close. */
class HubConnection implements Connection {
  client: MqttClient | null = null;
  connected = false;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private loggedFailure = false;
  private readonly backoff: Backoff;
  private readonly rotation: HubRotation;
  private readonly openStream: ReturnType<typeof createHubSocketOpener>;

  constructor(private readonly deps: ConnectionDeps) {
    this.backoff = createBackoff(deps.backoff);
    this.rotation = createHubRotation(deps);
    this.openStream = createHubSocketOpener(deps.trust);
  }

  get attempts() {
    return this.backoff.attempts;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.tryAttempt();
  }

  async stop(lastWords?: { topic: string; payload: string }) {
    this.stopped = true;
    const wasConnected = this.connected;
    const c = this.forget();
    if (!c) return;
    if (wasConnected && lastWords) {
      await c
        .publishAsync(lastWords.topic, lastWords.payload, { qos: 1, retain: true })
        .catch(() => undefined);
    }
    await c.endAsync(!wasConnected).catch(() => undefined);
  }

  kill() {
    this.stopped = true;
    const c = this.forget();
    c?.stream?.destroy();
    c?.end(true);
  }

  drop() {
    this.client?.stream?.destroy();
  }

  private scheduleRetry() {
    if (this.stopped || this.retryTimer) return;
    const delay = this.backoff.next();
    this.deps.log.debug({ delay, attempt: this.backoff.attempts }, 'reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.tryAttempt();
    }, delay);
  }

  private tryAttempt() {
    this.attempt().catch((err: unknown) => {
      this.deps.log.error({ err }, 'connection attempt failed');
      this.client = null;
      this.scheduleRetry();
    });
  }

  private async attempt() {
    if (this.stopped) return;
    const address = await this.rotation.next();
    if (this.stopped) return;
    if (!address) {
      if (!this.loggedFailure) this.deps.log.warn('no hub address known yet; retrying');
      this.loggedFailure = true;
      return this.scheduleRetry();
    }
    const c = new MqttClient(() => this.openStream(address), clientOptions(this.deps));
    this.client = c;
    c.on('connect', (connack) => {
      if (this.client === c) this.onConnected(c, address, connack.sessionPresent);
    });
    c.on('message', (topic, payload) => {
      if (this.client === c) this.deps.onMessage(topic, payload);
    });
    c.on('error', (err) => {
      logAttemptError(this.deps.log, address, err, this.loggedFailure);
      this.loggedFailure = true;
    });
    c.on('close', () => {
      if (this.client === c) this.onClosed(c);
    });
  }

  private onConnected(c: MqttClient, address: HubAddress, sessionPresent: boolean) {
    this.connected = true;
    this.loggedFailure = false;
    this.backoff.reset();
    this.rotation.connectedTo(address);
    this.deps.log.info({ address: formatHubAddress(address), sessionPresent }, 'connected');
    this.deps.onConnect(c, { sessionPresent, address });
  }

  private onClosed(c: MqttClient) {
    this.client = null;
    c.end(true);
    if (this.connected) {
      this.connected = false;
      this.deps.log.info('disconnected');
      this.deps.onClose();
    }
    this.scheduleRetry();
  }

  private forget() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const c = this.client;
    this.client = null;
    this.connected = false;
    return c;
  }
}
