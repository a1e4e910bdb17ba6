// The drill lab: a real hub process on fixed loopback ports with its own data directory, fleets of
// simulated devices as real `hearth fleet` processes, and helpers to talk to the hub's API. A drill
// never touches the user's own hub or data: everything lives in a temp folder removed at the end.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cloud-broker.js';
import { type HubProcess, startHubProcess } from './hub-process.js';
import { type ApiAnswer, createLabApi } from './lab-api.js';
import { createLabDevices, type Fleet } from './lab-devices.js';

export type { ApiAnswer } from './lab-api.js';
export type { Fleet } from './lab-devices.js';

export interface Lab {
  dir: string;
  token: string;
  baseUrl: string;
  /** The hub's own MQTT port (the devices' broker in embedded mode; unused in mosquitto mode). */
  mqttPort: number;
  /** Where the devices are: on the hub's own broker, or on the mosquitto its config names. */
  brokerMode: 'embedded' | 'mosquitto';
  /** Stops the mosquitto the hub and devices use and starts it again (LabOptions.restartBroker). */
  restartBroker?(): Promise<void>;
  /** The drill's own log: hub and fleet output, for when a check fails. */
  logFile: string;
  hub(): HubProcess;
  startHub(env?: NodeJS.ProcessEnv): Promise<HubProcess>;
  stopHub(signal: NodeJS.Signals): Promise<void>;
  api(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /** A sample of a metric from /metrics (0 when absent); `label` picks one series, e.g. result="accepted". */
  metric(name: string, label?: string): Promise<number>;
  fleet(model: string, count: number, extra?: string[]): Promise<Fleet>;
  /** Flashes one simulated device and boots it with `hearth device run` (plus `runArgs`); resolves once online. */
  device(model: string, runArgs?: string[]): Promise<{ id: string; stop(): Promise<void> }>;
  close(): Promise<void>;
}

export async function waitUntil<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(fn)
      .catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface LabOptions {
  /** Merged into the hub's config.json (e.g. `broker`: mosquitto as its broker). */
  hubConfig?: Record<string, unknown>;
  /**
   * Restarts that external broker on the same port with its clients and ACLs (whoever started it
   * knows how); the reconnect surge in mosquitto mode is mosquitto restarting.
   */
  restartBroker?: () => Promise<void>;
}

export async function createLab(options: LabOptions = {}): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-drill-'));
  const dataDir = join(dir, 'hub');
  mkdirSync(dataDir);
  writeFileSync(
    join(dataDir, 'config.json'),
    JSON.stringify({ backup: { enabled: false }, ...options.hubConfig }, null, 2),
  );
  const logFile = join(dir, 'drill.log');
  const logFd = openSync(logFile, 'a');
  // Fixed ports: devices find a restarted hub at the address they cached, as on a real LAN.
  // Fixed ports across restarts: flashed devices cache the hub's MQTT-over-TLS address.
  const [httpPort, mqttPort, httpsPort, mqttTlsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  let hub: HubProcess | undefined;
  let token = '';
  const baseUrl = `http://127.0.0.1:${httpPort}`;

  const { api, metric } = createLabApi(baseUrl, () => token);
  const devices = createLabDevices({ dir, baseUrl, logFd, logFile, token: () => token, api });

  const broker = options.hubConfig?.broker as { mode?: string } | undefined;
  const lab: Lab = {
    dir,
    brokerMode: broker?.mode === 'mosquitto' ? 'mosquitto' : 'embedded',
    ...(options.restartBroker ? { restartBroker: options.restartBroker } : {}),
    get token() {
      return token;
    },
    baseUrl,
    mqttPort,
    logFile,
    hub() {
      if (!hub) throw new Error('the drill hub is not running');
      return hub;
    },
    async startHub(env = {}) {
      hub = await startHubProcess({
        dataDir,
        httpPort,
        mqttPort,
        httpsPort,
        mqttTlsPort,
        logFd,
        env,
        ...(token ? { token } : {}),
      });
      token = hub.token;
      return hub;
    },
    async stopHub(signal) {
      await hub?.stop(signal);
    },
    api,
    metric,
    fleet: devices.fleet,
    device: devices.device,
    async close() {
      await devices.stopAll();
      await hub?.stop('SIGTERM');
      closeSync(logFd);
      if (process.env.HEARTH_DRILL_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };
  return lab;
}
