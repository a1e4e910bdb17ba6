// End to end with real processes: `hearth start`, `hearth flash feeder`, `hearth device run`. A
// feeder schedule is pushed to the flashed feeder; the hub process is stopped; the feeder still
// feeds at the scheduled time; after the hub restarts the run is in its log exactly once. In both
// broker modes, side by side (most of the time is waiting for the feeding time): in mosquitto mode
// the feeder stays on mosquitto while the hub is away, and its report waits in the hub's session.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, it } from 'vitest';
import { freePort } from '../../../hub/drills/cloud-broker.js';
import { readRuntimeInfo } from '../../../hub/infra/runtime-file.js';
import { BROKER_MODES, type BrokerMode } from '../../support/hub.js';
import { startTestMosquitto, type TestMosquitto } from '../../support/mosquitto.js';
import { waitFor } from '../../support/wait.js';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'dist', 'bin', 'hearth.js');

const children: ChildProcess[] = [];
const output = new WeakMap<ChildProcess, string[]>();
function start(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  // Read what it prints: a pipe nobody drains could stall it, and a failed start should say why.
  const lines: string[] = [];
  output.set(child, lines);
  child.stdout?.on('data', (d: Buffer) => lines.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
  children.push(child);
  return child;
}

/** Resolves when the hub has written runtime.json; fails with its output if it exits first. */
async function serving(hub: ChildProcess, dataDir: string, what: string): Promise<void> {
  let onExit: (code: number | null) => void = () => undefined;
  const exited = new Promise<never>((_, reject) => {
    onExit = (code) =>
      reject(new Error(`the hub exited (${code}) before serving: ${output.get(hub)?.join('').slice(-2000)}`));
    hub.once('exit', onExit);
  });
  try {
    await Promise.race([waitFor(() => readRuntimeInfo(dataDir), { timeoutMs: 30_000, what }), exited]);
  } finally {
    hub.off('exit', onExit);
  }
}
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** The hub's flags and environment for a broker mode (in mosquitto mode, a mosquitto of its own). */
async function brokerSetup(mode: BrokerMode): Promise<{ args: string[]; env: NodeJS.ProcessEnv }> {
  if (mode === 'embedded') return { args: [], env: {} };
  const m = await startTestMosquitto();
  mosquittos.push(m);
  return {
    args: ['--broker', 'mosquitto', '--broker-url', m.url],
    env: { HEARTH_BROKER__USERNAME: m.admin.username, HEARTH_BROKER__PASSWORD: m.admin.password },
  };
}
const mosquittos: TestMosquitto[] = [];
const dirs: string[] = [];

describe('a feeder keeps its schedule while the hub is down', () => {
  afterAll(async () => {
    await Promise.all(children.map(stop));
    await Promise.all(mosquittos.map((m) => m.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.concurrent.for([...BROKER_MODES])(
    'feeds on time with the hub stopped, and the hub logs the run once after it restarts (%s broker)',
    { timeout: 120_000 },
    async (mode, { expect }) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-hub-'));
      const deviceDir = mkdtempSync(join(tmpdir(), 'hearth-e2e-dev-'));
      dirs.push(dataDir, deviceDir);
      const broker = await brokerSetup(mode);
      const [httpPort, mqttPort, httpsPort, mqttTlsPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      // Fixed ports, so the device finds the restarted hub at the address it cached.
      const hubArgs = [
        'start',
        '--data-dir',
        dataDir,
        '--http-port',
        String(httpPort),
        '--mqtt-port',
        String(mqttPort),
        '--https-port',
        String(httpsPort),
        '--mqtt-tls-port',
        String(mqttTlsPort),
        '--bind',
        '127.0.0.1',
        '--no-mdns',
        '--log-level',
        'warn',
        ...broker.args,
      ];
      let hub = start(hubArgs, broker.env);
      await serving(hub, dataDir, 'hub runtime.json');
      const { stdout: tokenOut } = await run(process.execPath, [
        BIN,
        'tokens',
        'create',
        '--name',
        'e2e',
        '--data-dir',
        dataDir,
        '--json',
      ]);
      const { token } = JSON.parse(tokenOut) as { token: string };
      const base = `http://127.0.0.1:${httpPort}`;
      const api = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(base + path, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
      };

      const image = join(deviceDir, 'feeder.img');
      const { stdout: flashOut } = await run(process.execPath, [
        BIN,
        'flash',
        'feeder',
        '--name',
        'Cat feeder',
        '--hub',
        base,
        '--token',
        token,
        '--out',
        image,
        '--json',
      ]);
      const deviceId = (JSON.parse(flashOut) as { device: { id: string } }).device.id;
      const device = start(['device', 'run', image, '--flash-dir', deviceDir, '--json']);
      let deviceOut = '';
      device.stdout?.on('data', (b: Buffer) => {
        deviceOut += b.toString();
      });
      await waitFor(async () => (await api('GET', `/api/v1/devices/${deviceId}`)).body?.online === true, {
        timeoutMs: 15_000,
        what: 'feeder online',
      });

      // A near-future feeding time, whole seconds, in UTC.
      const due = Math.ceil((Date.now() + 20_000) / 1000) * 1000;
      const d = new Date(due);
      const created = await api('POST', '/api/v1/schedules', {
        id: 'dinner',
        deviceId,
        command: { capability: 'feed', params: { portions: 1 } },
        cron: `${d.getUTCSeconds()} ${d.getUTCMinutes()} ${d.getUTCHours()} * * *`,
        tz: 'UTC',
      });
      expect(created.status).toBe(201);
      expect(created.body.runsOn).toBe('device');
      await waitFor(
        async () =>
          ((await api('GET', '/api/v1/schedules/dinner')).body?.sync as { inSync?: boolean })?.inSync,
        {
          timeoutMs: 15_000,
          what: 'the feeder to run the pushed version',
        },
      );

      await stop(hub);
      expect(Date.now()).toBeLessThan(due - 1000);
      const stoppedAt = Date.now();
      // The feeder carries on alone; wait past the feeding time (plus its run), with no hub at all.
      await waitFor(() => Date.now() > due + 1500, {
        timeoutMs: due - Date.now() + 10_000,
        intervalMs: 100,
        what: 'the feeding time to pass',
      });
      expect(readRuntimeInfo(dataDir)).toBeNull();

      hub = start(hubArgs, broker.env);
      await serving(hub, dataDir, 'hub restarted');
      const restartedAt = Date.now();
      const runs = await waitFor(
        async () => {
          const r = await api('GET', '/api/v1/schedules/dinner/runs');
          const list = (r.body?.runs ?? []) as Array<Record<string, unknown>>;
          return list.length > 0 ? list : undefined;
        },
        {
          timeoutMs: 45_000 /* the feeder's reconnect backoff after a 20 s outage can reach ~30 s */,
          what: 'the run in the hub log',
        },
      );
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        occurrence: `dinner@${d.toISOString()}`,
        by: 'device',
        status: 'ok',
        scheduledAt: due,
      });
      const ranAt = runs[0]?.ranAt as number;
      expect(ranAt).toBeGreaterThanOrEqual(due);
      expect(ranAt).toBeGreaterThan(stoppedAt);
      expect(ranAt).toBeLessThan(restartedAt);
      const view = await waitFor(
        async () => {
          const v = (await api('GET', `/api/v1/devices/${deviceId}`)).body;
          return (v?.reported as { hopper?: number })?.hopper === 95 ? v : undefined;
        },
        { what: 'the hopper to show one portion gone' },
      );
      expect(view.online).toBe(true);
      // Still exactly once a little later (re-sent reports, reconnects).
      const again = await api('GET', `/api/v1/schedule-runs?deviceId=${deviceId}`);
      expect((again.body.runs as unknown[]).length).toBe(1);
      expect(deviceOut).toContain('online');
    },
  );
});
