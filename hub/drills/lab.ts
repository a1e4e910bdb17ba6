// The drill lab: a real hub process on fixed loopback ports with its own data directory, fleets of
// simulated devices as real `hearth fleet` processes, and helpers to talk to the hub's API. A drill
// never touches the user's own hub or data: everything lives in a temp folder removed at the end.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './cloud-broker.js';
import { type HubProcess, hearthBin, startHubProcess } from './hub-process.js';

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface Fleet {
  model: string;
  ids: string[];
  /** A control line for the fleet's devices (see devices/host/control.ts). */
  send(line: Record<string, unknown>): void;
  stop(): Promise<void>;
}

export interface Lab {
  dir: string;
  token: string;
  baseUrl: string;
  mqttPort: number;
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

export async function createLab(options: { hubConfig?: Record<string, unknown> } = {}): Promise<Lab> {
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
  const fleets: ChildProcess[] = [];
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  // The lab's hub runs with --no-mdns on loopback: a device's mDNS browse could never find it, and
  // would only multicast onto the machine's real network.
  const deviceEnv = { ...process.env, HEARTH_TOKEN: '', HEARTH_DEVICE_MDNS: 'off' };

  const api = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  };

  const lab: Lab = {
    dir,
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
    async metric(name, label) {
      const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      const series = label
        ? `\\{[^}]*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^}]*\\}`
        : '(?:\\{[^}]*\\})?';
      const m = new RegExp(`^${name}${series} ([0-9.e+-]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : 0;
    },
    async fleet(model, count, extra = []) {
      const prefix = `drill ${model} ${fleets.length + 1}`;
      const child = spawn(
        process.execPath,
        [
          hearthBin,
          'fleet',
          '--model',
          model,
          '--count',
          String(count),
          '--hub',
          baseUrl,
          '--token',
          token,
          '--prefix',
          prefix,
          '--flash-dir',
          join(dir, `flash-${fleets.length + 1}`),
          '--timeout',
          '120',
          '--json',
          ...extra,
        ],
        {
          stdio: ['pipe', 'pipe', logFd],
          env: deviceEnv,
        },
      );
      fleets.push(child);
      const summary = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
        lines.on('line', (line) => {
          try {
            const obj = JSON.parse(line) as Record<string, unknown>;
            if (obj.event === 'summary') resolve(obj);
          } catch {
            // not JSON: ignore
          }
        });
        child.once('exit', (code) => reject(new Error(`hearth fleet exited with ${code}; see ${logFile}`)));
      });
      if (summary.online !== count)
        throw new Error(`only ${String(summary.online)} of ${count} ${model}s came online`);
      const { body } = await api('GET', '/api/v1/devices');
      const ids = (body.devices as Array<{ id: string; name: string }>)
        .filter((d) => d.name.startsWith(`${prefix} `))
        .map((d) => d.id);
      child.stdout?.resume();
      return {
        model,
        ids,
        send(line) {
          child.stdin?.write(`${JSON.stringify(line)}\n`);
        },
        stop: () => stopChild(child),
      };
    },
    async device(model, runArgs = []) {
      const n = fleets.length + 1;
      const image = join(dir, `device-${n}.img`);
      const flashed = JSON.parse(
        execFileSync(
          process.execPath,
          [
            hearthBin,
            'flash',
            model,
            '--name',
            `drill ${model} ${n}`,
            '--hub',
            baseUrl,
            '--token',
            token,
            '--out',
            image,
            '--json',
          ],
          { encoding: 'utf8', env: { ...process.env, HEARTH_TOKEN: '' } },
        ),
      ) as { device: { id: string } };
      const id = flashed.device.id;
      const flashDir = join(dir, `flash-${n}`);
      mkdirSync(flashDir);
      const child = spawn(
        process.execPath,
        [hearthBin, 'device', 'run', image, '--flash-dir', flashDir, '--json', ...runArgs],
        { stdio: ['pipe', 'pipe', logFd], env: deviceEnv },
      );
      fleets.push(child);
      await new Promise<void>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
        lines.on('line', (line) => {
          if (line.includes('"online"')) resolve();
        });
        child.once('exit', (code) =>
          reject(new Error(`hearth device run exited with ${code}; see ${logFile}`)),
        );
      });
      return { id, stop: () => stopChild(child) };
    },
    async close() {
      await Promise.all(fleets.map(stopChild));
      await hub?.stop('SIGTERM');
      closeSync(logFd);
      if (process.env.HEARTH_DRILL_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };
  return lab;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    // A fleet that does not stop gracefully in 10 s is killed.
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}
