// The hub under fuzz: a real hub in this process (real aedes on a loopback port, a real SQLite file,
// the real HTTP API), so the fuzzer can see its counters and wait for it to go quiet. Three devices:
// `target` takes hostile payloads on its own topics, `intruder` publishes outside its rights, and
// `responder` acknowledges every command so accepted HTTP commands settle instead of queueing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { createHub, type Hub } from '../../hub/hub.js';
import { loadConfig } from '../../hub/infra/config.js';
import { storePath } from '../../hub/store/db.js';
import { type ChangeLog, watchChanges } from './change-log.js';
import { adminPost, type FuzzDevice, registerDevice, seedKnown, startResponder } from './fuzz-fixtures.js';

export { type FuzzDevice, QUIET_CRONS, SETUP_CRON } from './fuzz-fixtures.js';

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

  const post = adminPost(baseUrl, adminToken);
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
    await registerDevice(post, 'fuzz target'),
    await registerDevice(post, 'fuzz intruder'),
    await registerDevice(post, 'fuzz responder'),
  ];
  const answering = await connect(responder);
  await startResponder(answering, responder);
  await until(() => hub.context.registry.get(responder.id)?.online === true, 'the responder to come online');

  const known = await seedKnown(post, responder.id);
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
    known,
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
