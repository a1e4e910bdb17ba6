// Debian's mosquitto as the bench's peer broker: started on a free loopback port with a password
// file and an ACL like Hearth's (each user may publish only under hearth/dev/<user>/; a reader may
// read events), so both brokers pay for auth and ACL. Fairness settings are raised and reported.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerPeer, brokerPeer } from './broker-peer.js';

/** What the bench changes from Debian's defaults, so the comparison is fair; quoted in the results. */
export const MOSQUITTO_SETTINGS = [
  'max_queued_messages 1000000 (default 1000 silently drops a QoS 1 burst)',
  'max_inflight_messages 100',
  'set_tcp_nodelay true',
  'persistence false',
];

/** The config lines behind MOSQUITTO_SETTINGS, shared by every mosquitto the bench starts. */
export const FAIR_SETTINGS = [
  'max_queued_messages 1000000',
  'max_inflight_messages 100',
  'set_tcp_nodelay true',
  'persistence false',
  'log_dest stderr',
];

export async function startMosquitto(
  port: number,
  users: Array<{ username: string; password: string }>,
  reader: { username: string; password: string },
  /** The ACL file's lines; by default the reader reads events and every user writes its own topics. */
  acl: string[] = [
    `user ${reader.username}`,
    'topic read hearth/dev/+/event',
    '',
    'pattern write hearth/dev/%u/#',
  ],
): Promise<BrokerPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-mosquitto-'));
  // Started as root, mosquitto drops to its own user, which must still read its files.
  chmodSync(dir, 0o755);
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, '');
  for (const u of [...users, reader])
    execFileSync('mosquitto_passwd', ['-b', passwd, u.username, u.password]);
  writeFileSync(join(dir, 'acl'), `${acl.join('\n')}\n`);
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${join(dir, 'acl')}`,
      ...FAIR_SETTINGS,
      '',
    ].join('\n'),
  );
  const log = join(dir, 'mosquitto.log');
  const logFd = openSync(log, 'w');
  const child: ChildProcess = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
    stdio: ['ignore', 'ignore', logFd],
  });
  closeSync(logFd);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline)
      throw new Error(`mosquitto did not start on port ${port}: ${readFileSync(log, 'utf8').trim()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return brokerPeer(child, port, () => rmSync(dir, { recursive: true, force: true }));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
