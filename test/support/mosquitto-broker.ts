// A home's own mosquitto for bridge tests: Debian's broker on a loopback port with its own config
// file, a password file and persistence (retained messages survive a restart, as with Home
// Assistant's add-on), stopped and started again on the same port.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../hub/drills/cloud-broker.js';
import { waitFor } from './wait.js';

export interface HomeBroker {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  cleanup(): Promise<void>;
  log(): string;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export async function createHomeBroker(users: Record<string, string>): Promise<HomeBroker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hearth-home-broker-'));
  chmodSync(dir, 0o777); // started as root, mosquitto drops to its own user and writes its db here
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, '');
  for (const [user, password] of Object.entries(users))
    execFileSync('mosquitto_passwd', ['-b', passwd, user, password]);
  chmodSync(passwd, 0o644);
  const logFile = join(dir, 'mosquitto.log');
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      'persistence true',
      `persistence_location ${dir}/`,
      `log_dest file ${logFile}`,
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  const broker: HomeBroker = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      const c = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
      child = c;
      await waitFor(() => accepts(port), { what: `mosquitto on ${port}` });
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGTERM'); // saves its retained messages on the way out
      });
    },
    async cleanup() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
  };
  await broker.start();
  return broker;
}
