// Starts bench/lib/aedes-peer-server.ts as a child process and measures it like the mosquitto peer.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrokerPeer, brokerPeer } from './broker-peer.js';

export async function startPlainAedes(
  port: number,
  users: Array<{ username: string; password: string }>,
  /** PEM files: the peer serves MQTT over TLS with them. */
  tls?: { key: string; cert: string },
): Promise<BrokerPeer> {
  const server = join(dirname(fileURLToPath(import.meta.url)), 'aedes-peer-server.js');
  const child = spawn(
    process.execPath,
    [
      server,
      String(port),
      JSON.stringify(users.map((u) => [u.username, u.password])),
      ...(tls ? [JSON.stringify(tls)] : []),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`plain aedes exited with ${code} before listening`)));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
  });
  return brokerPeer(child, port);
}
