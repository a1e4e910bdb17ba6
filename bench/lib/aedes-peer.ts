// Starts bench/lib/aedes-peer-server.ts as a child process and measures it like the mosquitto peer.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MosquittoPeer } from './mosquitto-peer.js';

export async function startPlainAedes(
  port: number,
  users: Array<{ username: string; password: string }>,
): Promise<MosquittoPeer> {
  const server = join(dirname(fileURLToPath(import.meta.url)), 'aedes-peer-server.js');
  const child = spawn(
    process.execPath,
    [server, String(port), JSON.stringify(users.map((u) => [u.username, u.password]))],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`plain aedes exited with ${code} before listening`)));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
  });
  const stat = () => readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return {
    port,
    cpuSeconds() {
      const fields = stat();
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    rssMb() {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      return Math.round(kb / 1024);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
