// One connection attempt to the cloud broker with the drainer's fixed session (persistent, no
// automatic reconnect: the drainer's own backoff and breaker decide when to try again).
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { CloudSyncConfig } from './config.js';

function options(config: CloudSyncConfig, clientId: string): IClientOptions {
  return {
    clientId,
    clean: false,
    reconnectPeriod: 0,
    connectTimeout: config.connectTimeoutMs,
    keepalive: 30,
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.caFile ? { ca: readFileSync(config.caFile) } : {}),
    ...(config.certFile ? { cert: readFileSync(config.certFile) } : {}),
    ...(config.keyFile ? { key: readFileSync(config.keyFile) } : {}),
  };
}

/** Resolves with the client once CONNACK arrives; each listener sees the client before it connects. */
export function connectCloud(
  config: CloudSyncConfig,
  clientId: string,
  listeners: ReadonlyArray<(c: MqttClient) => void>,
): Promise<MqttClient> {
  return new Promise<MqttClient>((resolve, reject) => {
    const c = mqtt.connect(config.url, options(config, clientId));
    for (const fn of listeners) fn(c);
    const fail = (err: Error) => {
      c.end(true);
      reject(err);
    };
    c.once('connect', () => {
      (c.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
      c.removeListener('error', fail);
      resolve(c);
    });
    c.once('error', fail);
    c.once('close', () => fail(new Error('connection closed before CONNACK')));
  });
}
