// The hub's own MQTT client on mosquitto: MQTT 5 so each subscription carries an identifier (a
// message matching two overlapping filters is routed once per filter, as in-process subscriptions
// are), a persistent session so events sent while the hub was away are delivered when it is back,
// and a will that marks the hub offline when it dies. Nagle off, as on every socket of the hub.
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type IClientOptions, MqttClient } from 'mqtt';
import { hubTopic } from '../../../shared/topics.js';
import type { Config } from '../../infra/config.js';

export interface BrokerEndpoint {
  host: string;
  port: number;
  tls: boolean;
}

export function parseBrokerUrl(url: string): BrokerEndpoint {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), tls: u.protocol === 'mqtts:' };
}

/** Stable per hub, so mosquitto keeps the hub's session (and what it missed) across restarts. */
export const hubClientId = (hubName: string) =>
  `hearth-hub-${hubName.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 64);

/** A new connection to mosquitto (TCP, or TLS with the configured CA), Nagle off. */
export function brokerSocketFactory(broker: Config['broker']): () => Socket {
  const at = parseBrokerUrl(broker.url);
  const ca = broker.caFile ? readFileSync(broker.caFile) : undefined;
  return () => {
    if (!at.tls) return netConnect({ host: at.host, port: at.port, noDelay: true });
    const socket = tlsConnect({ host: at.host, port: at.port, ...(ca ? { ca } : {}), servername: at.host });
    socket.setNoDelay(true);
    return socket;
  };
}

export function connectHubClient(config: Config): MqttClient {
  const { broker } = config;
  const options: IClientOptions = {
    clientId: hubClientId(config.hubName),
    ...(broker.username ? { username: broker.username } : {}),
    ...(broker.password ? { password: broker.password } : {}),
    protocolVersion: 5,
    clean: false,
    // A day: a hub that is away longer starts afresh and catches up from retained topics.
    properties: { sessionExpiryInterval: 24 * 3600 },
    keepalive: 30,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    will: { topic: hubTopic('status'), payload: Buffer.from('offline'), qos: 1, retain: true },
  };
  return new MqttClient(brokerSocketFactory(broker), options);
}

/** 28-bit identifiers derived from the filter, so a resumed session's queued messages still route. */
export function subscriptionIdFor(filter: string, taken: ReadonlySet<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < filter.length; i++) h = Math.imul(h ^ filter.charCodeAt(i), 0x01000193) >>> 0;
  let id = (h % 0xffffffe) + 1;
  while (taken.has(id)) id = (id % 0xffffffe) + 1;
  return id;
}
