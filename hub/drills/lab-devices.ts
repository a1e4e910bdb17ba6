// The lab's simulated devices: fleets as real `hearth fleet` processes and single devices flashed
// and booted with `hearth device run`. Apart from the lab so process handling sits in one place.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hearthBin } from './hub-process.js';
import type { ApiAnswer } from './lab-api.js';

export interface Fleet {
  model: string;
  ids: string[];
  /** A control line for the fleet's devices (see devices/host/control.ts). */
  send(line: Record<string, unknown>): void;
  stop(): Promise<void>;
}

export interface LabDevices {
  fleet(model: string, count: number, extra?: string[]): Promise<Fleet>;
  device(model: string, runArgs?: string[]): Promise<{ id: string; stop(): Promise<void> }>;
  stopAll(): Promise<void>;
}

export function createLabDevices(deps: {
  dir: string;
  baseUrl: string;
  logFd: number;
  logFile: string;
  token(): string;
  api(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
}): LabDevices {
  const { dir, baseUrl, logFd, logFile, api } = deps;
  const fleets: ChildProcess[] = [];
  // The lab's hub runs with --no-mdns on loopback: a device's mDNS browse could never find it, and
  // would only multicast onto the machine's real network.
  const deviceEnv = { ...process.env, HEARTH_TOKEN: '', HEARTH_DEVICE_MDNS: 'off' };

  return {
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
          deps.token(),
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
      const summary = await firstLine(child, 'hearth fleet', logFile, (line) => {
        try {
          const obj = JSON.parse(line) as Record<string, unknown>;
          return obj.event === 'summary' ? obj : undefined;
        } catch {
          return undefined; // not JSON: ignore
        }
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
            deps.token(),
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
      await firstLine(child, 'hearth device run', logFile, (line) =>
        line.includes('"online"') ? true : undefined,
      );
      return { id, stop: () => stopChild(child) };
    },
    async stopAll() {
      await Promise.all(fleets.map(stopChild));
    },
  };
}

/** The first stdout line `pick` accepts; fails when the process exits before one comes. */
function firstLine<T>(
  child: ChildProcess,
  name: string,
  logFile: string,
  pick: (line: string) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const value = pick(line);
      if (value !== undefined) resolve(value);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}; see ${logFile}`)));
  });
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
