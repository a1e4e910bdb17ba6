// Spawns real `hearth` processes (node dist/bin/hearth.js …) and follows their output: JSON lines
// on stdout, text on stderr. Every process started here is killed by killAll().
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '../../support/wait.js';

const bin = join(import.meta.dirname, '..', '..', '..', 'dist', 'bin', 'hearth.js');

export interface HearthProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
  waitForLine(
    match: (line: Record<string, unknown>) => boolean,
    what?: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  send(line: Record<string, unknown>): void;
}

const running = new Set<ChildProcess>();

/** Where a process runs: here, or inside a test network namespace (test/support/netns.ts). */
export interface SpawnPlace {
  netns?: string;
}

export function spawnHearth(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  place: SpawnPlace = {},
): HearthProcess {
  // `ip netns exec` execs the command, so the child's pid is node's and signals reach it.
  const [cmd, argv]: [string, string[]] = place.netns
    ? ['ip', ['netns', 'exec', place.netns, process.execPath, bin, ...args]]
    : [process.execPath, [bin, ...args]];
  const child = spawn(cmd, argv, {
    env: { ...process.env, HEARTH_TOKEN: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  const lines: Array<Record<string, unknown>> = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        // human output; kept in stdout()
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  return {
    child,
    lines,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine: (match, what = 'a line', timeoutMs = 15_000) =>
      waitFor(() => lines.find(match), { what: `${what} (stderr: ${err.slice(-500)})`, timeoutMs }),
    send(line) {
      child.stdin?.write(`${JSON.stringify(line)}\n`);
    },
  };
}

/** Runs a command to completion. */
export async function runHearth(args: string[], env: NodeJS.ProcessEnv = {}, place: SpawnPlace = {}) {
  const p = spawnHearth(args, env, place);
  p.child.stdin?.end();
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr(), json: p.lines[0] };
}

export async function killAll(): Promise<void> {
  const waits = [...running].map(
    (c) =>
      new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
}
