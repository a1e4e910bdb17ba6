// Runs the hub as a separate process (benches and drills), as in production: `node dist/bin/hearth.js start` on a temp
// data directory with free loopback ports; waits for runtime.json and an answering API.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HUB_NODE_FLAGS, hubEnv } from '../infra/node-flags.js';
import { cpuSecondsOf, rssMbOf } from './proc-stats.js';

/** The repository root, from the source tree (tests) or from dist/ (the CLI and benches). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const hearthBin = join(repoRoot(), 'dist/bin/hearth.js');

export interface HubProcess {
  child: ChildProcess;
  dataDir: string;
  httpPort: number;
  mqttPort: number;
  baseUrl: string;
  token: string;
  /** ms from spawn until the API answered and runtime.json was written. */
  startMs: number;
  rssMb(): number;
  /** CPU seconds (user + system) the process has used. */
  cpuSeconds(): number;
  stop(signal?: NodeJS.Signals): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startHubProcess(
  options: {
    dataDir?: string;
    env?: NodeJS.ProcessEnv;
    token?: string;
    httpPort?: number;
    mqttPort?: number;
    httpsPort?: number;
    mqttTlsPort?: number;
    /** Where the hub's log goes (an open file descriptor); default: this process's stderr. */
    logFd?: number;
    /** Extra node flags (a profiler), after the hub's own. */
    nodeArgs?: string[];
  } = {},
): Promise<HubProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hearth-bench-'));
  const token =
    options.token ??
    (
      JSON.parse(
        execFileSync(
          process.execPath,
          [hearthBin, 'tokens', 'create', '--name', 'bench', '--json', '--data-dir', dataDir],
          { encoding: 'utf8' },
        ),
      ) as { token: string }
    ).token;
  const runtime = join(dataDir, 'runtime.json');
  rmSync(runtime, { force: true });
  if (!existsSync(join(dataDir, 'config.json')))
    writeFileSync(join(dataDir, 'config.json'), JSON.stringify({ backup: { enabled: false } }));
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...HUB_NODE_FLAGS,
      ...(options.nodeArgs ?? []),
      hearthBin,
      'start',
      '--data-dir',
      dataDir,
      '--http-port',
      String(options.httpPort ?? 0),
      '--mqtt-port',
      String(options.mqttPort ?? 0),
      '--https-port',
      String(options.httpsPort ?? 0),
      '--mqtt-tls-port',
      String(options.mqttTlsPort ?? 0),
      '--bind',
      '127.0.0.1',
      '--no-mdns',
      '--log-level',
      'warn',
    ],
    {
      stdio: ['ignore', 'ignore', options.logFd ?? 'inherit'],
      env: hubEnv({ ...process.env, ...options.env }),
    },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let info: { httpPort: number; mqttPort: number } | undefined;
  while (!info) {
    if (exited) throw new Error('hub process exited during start');
    if (existsSync(runtime)) {
      try {
        info = JSON.parse(readFileSync(runtime, 'utf8')) as { httpPort: number; mqttPort: number };
      } catch {
        // partially visible; try again
      }
    }
    if (!info) await new Promise((r) => setTimeout(r, 2));
  }
  const baseUrl = `http://127.0.0.1:${info.httpPort}`;
  const startMs = performance.now() - t0;
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<void>((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return {
    child,
    dataDir,
    httpPort: info.httpPort,
    mqttPort: info.mqttPort,
    baseUrl,
    token,
    startMs,
    rssMb: () => rssMbOf(child.pid),
    cpuSeconds: () => cpuSecondsOf(child.pid),
    stop,
    async cleanup() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
