// Debian's mosquitto with the dynamic-security plugin, started by a test: a free loopback port, a
// temp config directory, the admin made by `mosquitto_ctrl dynsec init`. For mosquitto-mode hubs.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debianPlugin, HEARTH_MOSQUITTO_SETTINGS } from '../../hub/broker/mosquitto/setup-files.js';
import { freePort } from '../../hub/drills/cloud-broker.js';

export interface TestMosquitto {
  port: number;
  url: string;
  admin: { username: string; password: string };
  dir: string;
  /** What it has logged so far (connections, refusals, protocol errors). */
  log(): string;
  /**
   * Stops it (SIGTERM, or SIGKILL as a power cut would: then it sends no wills) and starts it
   * again on the same port with the same files, as a home's mosquitto restarts: its clients, roles
   * and ACLs (dynamic-security.json, saved on every change) stay; sessions and retained messages
   * do not (`persistence false`). Resolves once it runs again.
   */
  restart(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops it (SIGTERM; it saves dynamic-security.json) and removes its directory. */
  stop(): Promise<void>;
}

export async function startTestMosquitto(): Promise<TestMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-dynsec-'));
  // Started as root, mosquitto drops to its own user, which must still read and write its files.
  chmodSync(dir, 0o777);
  const admin = { username: 'admin', password: 'admin-pass-for-tests' };
  const dynsec = join(dir, 'dynamic-security.json');
  execFileSync('mosquitto_ctrl', ['dynsec', 'init', dynsec, admin.username, admin.password], {
    stdio: 'ignore',
  });
  chmodSync(dynsec, 0o666);
  // Below the ephemeral range: while a restart has the port closed, no outgoing connection takes it.
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      // What `hearth broker setup` writes, on a loopback port of its own.
      ...HEARTH_MOSQUITTO_SETTINGS,
      `plugin ${debianPlugin()}`,
      `plugin_opt_config_file ${dynsec}`,
      `listener ${port} 127.0.0.1`,
      'persistence false',
      'log_dest stderr',
      '',
    ].join('\n'),
  );
  let output = '';
  const launch = async () => {
    const child: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    const from = output.length;
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(' running', from)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`mosquitto exited ${code}: ${output.slice(from)}`)));
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
      child.kill(signal);
      await exited;
    };
  };
  let halt = await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    admin,
    dir,
    log: () => output,
    async restart(signal = 'SIGTERM') {
      await halt(signal);
      halt = await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
