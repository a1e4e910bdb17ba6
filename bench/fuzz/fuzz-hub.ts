// The hub under fuzz: a real hub in this process (real aedes on a loopback port, a real SQLite file,
// the real HTTP API), so the fuzzer can see its counters and wait for it to go quiet. Three devices:
// `target` takes hostile payloads on its own topics, `intruder` publishes outside its rights, and
// `responder` acknowledges every command so accepted HTTP commands settle instead of queueing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { light } from '../../devices/models/light.js';
import { createHub, type Hub } from '../../hub/hub.js';
import { loadConfig } from '../../hub/infra/config.js';
import { storePath } from '../../hub/store/db.js';
import { type ChangeLog, watchChanges } from './change-log.js';

export interface FuzzDevice {
  id: string;
  secret: string;
}

export interface FuzzHub {
  hub: Hub;
  baseUrl: string;
  mqttUrl: string;
  adminToken: string;
  controlToken: string;
  target: FuzzDevice;
  intruder: FuzzDevice;
  responder: FuzzDevice;
  /** Ids that exist, so path parameters sometimes name a real schedule or command. */
  known: { scheduleId: string; commandId: string };
  /** Rows the hub wrote, read after each input. */
  changes: ChangeLog;
  /** Lines the hub logged at error level or worse since the last call. */
  takeErrors(): string[];
  /** Resolves once queued writes have run and no command is waiting for an ack. */
  settle(): Promise<void>;
  /** Connects an MQTT client as `device`, with no will and no subscription (it stays offline). */
  connect(device: FuzzDevice): Promise<MqttClient>;
  close(): Promise<void>;
}

/** Cron expressions that cannot fire during a run (New Year's Day, 29 February). */
export const SETUP_CRON = '0 3 1 1 *';
export const QUIET_CRONS = [SETUP_CRON, '15 4 29 2 *'];

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits, turn by turn of the event loop, until `done()` holds; fails after `ms`. */
export async function until(done: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await nextTurn();
  }
}

export async function startFuzzHub(): Promise<FuzzHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-fuzz-'));
  const errors: string[] = [];
  const log = pino(
    { level: 'error', base: null },
    {
      write(line: string) {
        errors.push(line.trim());
      },
    },
  );
  const config = loadConfig({
    flags: {
      dataDir,
      httpPort: 0,
      mqttPort: 0,
      httpsPort: 0,
      mqttTlsPort: 0,
      bind: '127.0.0.1',
      logLevel: 'error',
      mdns: { enabled: false },
      backup: { enabled: false },
    },
    env: {},
  });
  const hub = createHub(config, { log, pairingOutput: null });
  await hub.start();
  const adminToken = hub.tokens.create({ name: 'fuzz-admin', role: 'admin', actor: 'fuzz' }).token;
  const controlToken = hub.tokens.create({ name: 'fuzz-control', role: 'member', actor: 'fuzz' }).token;
  const baseUrl = `http://127.0.0.1:${hub.ports.http}`;
  const mqttUrl = `mqtt://127.0.0.1:${hub.ports.mqtt}`;
  const clients: MqttClient[] = [];

  const register = async (name: string): Promise<FuzzDevice> => {
    const res = await fetch(`${baseUrl}/api/v1/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, model: 'light' }),
    });
    if (res.status !== 201) throw new Error(`registering ${name}: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { device: { id: string }; secret: string };
    return { id: body.device.id, secret: body.secret };
  };
  const connect = async (device: FuzzDevice) => {
    const client = await mqtt.connectAsync(mqttUrl, {
      clientId: device.id,
      username: device.id,
      password: device.secret,
      clean: true,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return client;
  };

  const [target, intruder, responder] = [
    await register('fuzz target'),
    await register('fuzz intruder'),
    await register('fuzz responder'),
  ];
  const answering = await connect(responder);
  answering.on('message', (_topic, payload) => {
    const { id } = JSON.parse(payload.toString()) as { id: string };
    answering.publish(`hearth/dev/${responder.id}/ack`, JSON.stringify({ id, ok: true }), { qos: 1 });
  });
  await answering.publishAsync(
    `hearth/dev/${responder.id}/info`,
    JSON.stringify({ model: light.model, firmware: light.firmware, capabilities: light.capabilities }),
    { qos: 1, retain: true },
  );
  await answering.subscribeAsync(`hearth/dev/${responder.id}/cmd`, { qos: 1 });
  await until(() => hub.context.registry.get(responder.id)?.online === true, 'the responder to come online');

  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`fuzz setup: POST ${path} answered ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  // New Year's Day at 03:00 UTC: a real schedule that will not fire during a run.
  const schedule = await api('/api/v1/schedules', {
    deviceId: responder.id,
    cron: SETUP_CRON,
    tz: 'UTC',
    command: { capability: 'power', value: true },
  });
  const command = await api(`/api/v1/devices/${responder.id}/commands`, {
    capability: 'power',
    value: false,
  });
  const changes = watchChanges(storePath(dataDir));
  const settle = async () => {
    await until(() => hub.context.commands.activeCount() === 0, 'commands to settle');
    // The write batcher flushes on the next turn; two turns also cover a write queued by that flush.
    await nextTurn();
    await nextTurn();
  };
  await settle();
  changes.take(); // the setup's own writes
  return {
    hub,
    baseUrl,
    mqttUrl,
    adminToken,
    controlToken,
    target,
    intruder,
    responder,
    known: { scheduleId: schedule.id, commandId: command.id },
    changes,
    takeErrors: () => errors.splice(0),
    settle,
    connect,
    async close() {
      changes.close();
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await hub.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
