// The hub as a client of another broker, behind the same HubMessaging interface as its own: it
// connects in the background (a broker that is away never delays the hub), keeps its
// subscriptions and makes them again on every reconnect (so retained discovery arrives again and
// Hearth catches up), and refuses publishes while it is away so callers know to resend later.
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { topicMatches } from '../../shared/topic-filters.js';
import type { HubMessaging } from '../core/context.js';
import type { BridgeConfig } from '../infra/ecosystem-config.js';
import type { Logger } from '../infra/log.js';

export interface BridgeClient extends HubMessaging {
  connected(): boolean;
  /** Called on every connect (true) and every loss (false). */
  onConnection(listener: (connected: boolean) => void): void;
  start(): void;
  stop(): Promise<void>;
}

export function createBridgeClient(config: BridgeConfig, clientId: string, log: Logger): BridgeClient {
  const handlers = new Map<string, Set<(topic: string, payload: Buffer) => void>>();
  const listeners: Array<(connected: boolean) => void> = [];
  let client: MqttClient | undefined;
  let up = false;

  const options = (): IClientOptions => ({
    clientId,
    clean: true,
    reconnectPeriod: config.reconnectMs,
    connectTimeout: 10_000,
    keepalive: 30,
    resubscribe: false, // done here on every connect, with every filter
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.caFile ? { ca: readFileSync(config.caFile) } : {}),
    ...(config.certFile ? { cert: readFileSync(config.certFile) } : {}),
    ...(config.keyFile ? { key: readFileSync(config.keyFile) } : {}),
  });
  const setUp = (next: boolean) => {
    if (up === next) return;
    up = next;
    log.info({ url: config.url }, next ? 'bridge connected' : 'bridge lost');
    for (const l of listeners) l(next);
  };

  return {
    connected: () => up,
    onConnection: (l) => listeners.push(l),
    start() {
      const c = mqtt.connect(config.url, options());
      client = c;
      c.on('connect', () => {
        (c.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
        const filters = [...handlers.keys()];
        if (filters.length === 0) return setUp(true);
        c.subscribe(filters, { qos: 1 }, (err) => {
          if (err) log.warn({ err }, 'bridge subscribe failed');
          setUp(true);
        });
      });
      c.on('close', () => setUp(false));
      c.on('error', (err) => log.warn({ err: err.message }, 'bridge connection error'));
      c.on('message', (topic, payload) => {
        for (const [filter, set] of handlers)
          if (topicMatches(filter, topic)) for (const h of set) h(topic, payload);
      });
    },
    async stop() {
      const c = client;
      client = undefined;
      if (c) await c.endAsync(true).catch(() => undefined);
      setUp(false);
    },
    async publish(topic, payload, opts = {}) {
      if (!client || !up) throw new Error(`bridge ${config.name} is not connected`);
      await client.publishAsync(topic, payload, { qos: opts.qos ?? 0, retain: opts.retain ?? false });
    },
    async subscribe(filter, handler) {
      // The handler is in place before SUBSCRIBE: retained messages may arrive in the same read as the SUBACK.
      const set = handlers.get(filter);
      if (set) set.add(handler);
      else {
        handlers.set(filter, new Set([handler]));
        if (client && up) await client.subscribeAsync(filter, { qos: 1 });
      }
      return async () => {
        const s = handlers.get(filter);
        s?.delete(handler);
        if (s && s.size === 0) {
          handlers.delete(filter);
          if (client && up) await client.unsubscribeAsync(filter).catch(() => undefined);
        }
      };
    },
  };
}
