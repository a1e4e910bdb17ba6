// The hub as it runs on a Pi on the home LAN, and a phone beside it: `hearth start` inside the hub's
// network namespace on its default ports, and Debian's Chromium inside the peer's namespace with
// a HOME (so an NSS database) and a profile of its own, where trusting the hub CA with certutil is
// what installing it on a phone is.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RuntimeInfo, readRuntimeInfo } from '../../hub/infra/runtime-file.js';
import { launchPhone, type Phone } from './browser.js';
import type { Lan } from './netns.js';
import { waitFor } from './wait.js';

export const HEARTH_BIN = join(import.meta.dirname, '../../dist/bin/hearth.js');

export interface LanHub {
  readonly dataDir: string;
  /** The addresses a phone on the LAN uses (the hub's current address, default ports). */
  urls(): { http: string; https: string };
  /** Starts `hearth start` (again, on the same data directory); resolves once it serves. */
  start(extraArgs?: string[]): Promise<RuntimeInfo>;
  /** SIGTERM, and waits for the process to exit. */
  stop(): Promise<void>;
}

export function lanHub(lan: Lan, dataDir: string): LanHub {
  let proc: ChildProcess | undefined;
  let log = '';
  return {
    dataDir,
    urls: () => ({ http: `http://${lan.hub.address}:8080`, https: `https://${lan.hub.address}:8443` }),
    start(extraArgs = []) {
      const args = [HEARTH_BIN, 'start', '--data-dir', dataDir, '--no-mdns', '--log-level', 'warn'];
      proc = lan.spawn(lan.hub, process.execPath, [...args, ...extraArgs]);
      proc.stdout?.on('data', (d) => (log += d));
      proc.stderr?.on('data', (d) => (log += d));
      return waitFor(() => readRuntimeInfo(dataDir), { what: `the hub up (log: ${log})`, timeoutMs: 20_000 });
    },
    async stop() {
      const running = proc;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGTERM');
      await exited;
    },
  };
}

export interface LanPhone {
  /** Trusts a CA certificate (PEM file), as installing it on the phone does. */
  trust(caFile: string): void;
  /** Chromium in the phone's namespace; cookies and storage last from one launch to the next. */
  launch(): Promise<Phone>;
}

export function lanPhone(lan: Lan, dir: string): LanPhone {
  const home = join(dir, 'phone-home');
  const nssdb = `sql:${join(home, '.pki', 'nssdb')}`;
  mkdirSync(join(home, '.pki', 'nssdb'), { recursive: true });
  execFileSync('certutil', ['-d', nssdb, '-N', '--empty-password'], { stdio: 'pipe' });
  const launcher = join(dir, 'chromium-in-phone-ns');
  writeFileSync(launcher, `#!/bin/sh\nexec ip netns exec ${lan.peer.ns} /usr/bin/chromium "$@"\n`);
  chmodSync(launcher, 0o755);
  return {
    trust(caFile) {
      execFileSync('certutil', ['-d', nssdb, '-A', '-t', 'C,,', '-n', 'hearth', '-i', caFile], {
        stdio: 'pipe',
      });
    },
    launch: () =>
      launchPhone({
        executablePath: launcher,
        profile: join(dir, 'phone-profile'),
        env: { ...process.env, HOME: home },
      }),
  };
}
