// Starts a real hub in-process for tests: a temp data directory with a real SQLite file, the real
// aedes broker on a free loopback port, the real HTTP API. Returns an admin token and helpers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createHub, type Hub } from '../../hub/hub.js';
import { type ConfigInput, loadConfig } from '../../hub/infra/config.js';
import { startTestMosquitto, type TestMosquitto } from './mosquitto.js';

/** The broker modes a broker-facing suite runs in (describe.each). */
export const BROKER_MODES = ['embedded', 'mosquitto'] as const;
export type BrokerMode = (typeof BROKER_MODES)[number];

export interface TestHub {
  hub: Hub;
  dataDir: string;
  baseUrl: string;
  mqttUrl: string;
  token: string;
  /** fetch against the hub with the admin token (pass `token: null` for none). */
  api(path: string, init?: RequestInit & { json?: unknown; token?: string | null }): Promise<Response>;
  /** Registers a device and connects an mqtt.js client with its credentials. */
  connectDevice(
    model?: string,
    opts?: { id?: string },
  ): Promise<{ id: string; secret: string; client: MqttClient }>;
  /** Connects an mqtt.js client as an already registered device. */
  connectDeviceAs(id: string, secret?: string): Promise<MqttClient>;
  /** The MQTT login of a token reader: `token` on the embedded broker, `token-<id>` on mosquitto. */
  tokenLogin(token: string): { username: string; password: string };
  /** The mosquitto the hub uses, in mosquitto mode. */
  mosquitto?: TestMosquitto;
  /** Adds an integration MQTT user through the API and returns its password. */
  addMqttUser(name: string, filters: { pub?: string[]; sub?: string[] }): Promise<string>;
  /** Stops the hub (data stays, for restart tests). */
  stop(): Promise<void>;
  /** Stops the hub and removes the data directory. */
  cleanup(): Promise<void>;
}

export async function startTestHub(
  options: {
    dataDir?: string;
    config?: Partial<ConfigInput>;
    broker?: BrokerMode;
    mosquitto?: TestMosquitto;
  } = {},
): Promise<TestHub> {
  // A mosquitto of its own unless the caller shares one (a restart test keeps it across hubs).
  const mosquitto =
    options.mosquitto ?? (options.broker === 'mosquitto' ? await startTestMosquitto() : undefined);
  const ownsMosquitto = mosquitto !== undefined && options.mosquitto === undefined;
  const brokerConfig = mosquitto
    ? {
        broker: {
          mode: 'mosquitto' as const,
          url: mosquitto.url,
          username: mosquitto.admin.username,
          password: mosquitto.admin.password,
        },
      }
    : {};
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hearth-test-'));
  const config = loadConfig({
    flags: {
      dataDir,
      httpPort: 0,
      mqttPort: 0,
      httpsPort: 0,
      mqttTlsPort: 0,
      bind: '127.0.0.1',
      logLevel: 'silent',
      mdns: { enabled: false },
      ...brokerConfig,
      ...options.config,
    },
    env: {},
  });
  const hub = createHub(config, { pairingOutput: null });
  await hub.start();
  const { token } = hub.tokens.create({ name: 'test-admin', role: 'admin', actor: 'test' });
  await hub.context.credentialsSettled?.();
  const baseUrl = `http://127.0.0.1:${hub.ports.http}`;
  const clients: MqttClient[] = [];
  let stopped = false;

  const api: TestHub['api'] = (path, init = {}) => {
    const { json, token: override, ...rest } = init;
    const headers = new Headers(rest.headers);
    const t = override === undefined ? token : override;
    if (t) headers.set('authorization', `Bearer ${t}`);
    if (json !== undefined) headers.set('content-type', 'application/json');
    return fetch(baseUrl + path, {
      ...rest,
      headers,
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  };

  const secrets = new Map<string, string>();
  const connectAs = async (id: string, secret: string) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.ports.mqtt}`, {
      clientId: id,
      username: id,
      password: secret,
      clean: false,
      reconnectPeriod: 0,
      will: { topic: `hearth/dev/${id}/status`, payload: Buffer.from('offline'), retain: true, qos: 1 },
    });
    clients.push(client);
    return client;
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await hub.stop();
  };

  return {
    hub,
    dataDir,
    baseUrl,
    mqttUrl: `mqtt://127.0.0.1:${hub.ports.mqtt}`,
    token,
    api,
    async connectDevice(model = 'tv', opts = {}) {
      const res = await api('/api/v1/devices', {
        method: 'POST',
        json: { name: `test ${model}`, model, ...opts },
      });
      if (res.status !== 201)
        throw new Error(`device registration failed: ${res.status} ${await res.text()}`);
      const { device, secret } = (await res.json()) as { device: { id: string }; secret: string };
      secrets.set(device.id, secret);
      return { id: device.id, secret, client: await connectAs(device.id, secret) };
    },
    connectDeviceAs: (id, secret) => connectAs(id, secret ?? secrets.get(id) ?? ''),
    tokenLogin: (t) => ({
      username: mosquitto ? `token-${t.slice(0, t.indexOf('.'))}` : 'token',
      password: t,
    }),
    ...(mosquitto ? { mosquitto } : {}),
    async addMqttUser(name, { pub = [], sub = [] }) {
      const res = await api('/api/v1/mqtt-users', { method: 'POST', json: { name, pub, sub } });
      if (res.status !== 201) throw new Error(`mqtt user ${name}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { password: string }).password;
    },
    stop,
    async cleanup() {
      await stop();
      if (ownsMosquitto) await mosquitto?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
