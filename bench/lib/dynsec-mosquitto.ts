// Debian's mosquitto with the dynamic-security plugin, for the mosquitto-mode bench: a free
// loopback port, the admin `mosquitto_ctrl dynsec init` makes, the bench's fairness settings.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerPeer, brokerPeer } from './broker-peer.js';
import { FAIR_SETTINGS } from './mosquitto-peer.js';

export const DYNSEC_ADMIN = { username: 'admin', password: 'bench-admin-secret' };

export async function startDynsecMosquitto(port: number): Promise<BrokerPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-dynsec-'));
  chmodSync(dir, 0o777);
  const dynsec = join(dir, 'dynamic-security.json');
  execFileSync('mosquitto_ctrl', ['dynsec', 'init', dynsec, DYNSEC_ADMIN.username, DYNSEC_ADMIN.password], {
    stdio: 'ignore',
  });
  chmodSync(dynsec, 0o666);
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      'plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
      `plugin_opt_config_file ${dynsec}`,
      ...FAIR_SETTINGS,
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(' running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`mosquitto exited ${code}: ${out}`)));
  });
  child.stderr?.resume();
  return brokerPeer(child, port, () => rmSync(dir, { recursive: true, force: true }));
}
