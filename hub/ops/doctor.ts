// `hearth doctor`: checks what most often goes wrong on a Pi in a cupboard, each finding with a
// fix in plain words. Every check is a small function; none changes anything.
import { createSocket } from 'node:dgram';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, statfsSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from '../infra/config.js';
import { probeRunningHub, type RunningHub } from '../infra/hub-lock.js';
import { storePath } from '../store/db.js';
import { integrityCheck } from './backup.js';

export interface Finding {
  id: string;
  ok: boolean;
  severity: 'ok' | 'warning' | 'error';
  message: string;
  fix?: string;
}

const ok = (id: string, message: string): Finding => ({ id, ok: true, severity: 'ok', message });
const bad = (id: string, severity: 'warning' | 'error', message: string, fix: string): Finding => ({
  id,
  ok: false,
  severity,
  message,
  fix,
});

export function checkDataDir(dataDir: string): Finding {
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory())
    return bad(
      'data-dir',
      'error',
      `${dataDir} is a file, not a directory`,
      'move the file away, or pass --data-dir to another place',
    );
  try {
    if (!existsSync(dataDir)) return ok('data-dir', `${dataDir} will be created at first start`);
    accessSync(dataDir, constants.W_OK);
    const probe = mkdtempSync(join(dataDir, '.doctor-'));
    rmSync(probe, { recursive: true, force: true });
    return ok('data-dir', `${dataDir} is writable`);
  } catch (err) {
    return bad(
      'data-dir',
      'error',
      `${dataDir} is not writable (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      `sudo chown -R hearth:hearth ${dataDir}, or check that the disk is not mounted read-only`,
    );
  }
}

export function checkDisk(dataDir: string): Finding {
  try {
    const where = existsSync(dataDir) ? dataDir : '/';
    const s = statfsSync(where);
    const freeMb = Math.floor((s.bavail * s.bsize) / 2 ** 20);
    if (freeMb < 200)
      return bad(
        'disk',
        'error',
        `only ${freeMb} MB free for the data directory`,
        'free space: delete old backups in <data-dir>/backups, or journalctl --vacuum-size=100M',
      );
    if (freeMb < 1024) return bad('disk', 'warning', `${freeMb} MB free`, 'plan to free some space soon');
    return ok('disk', `${freeMb} MB free`);
  } catch (err) {
    return bad(
      'disk',
      'warning',
      `could not read free space: ${(err as Error).message}`,
      'check the disk with df -h',
    );
  }
}

export function checkClock(now = new Date()): Finding {
  const year = now.getUTCFullYear();
  if (year < 2024 || year > 2100)
    return bad(
      'clock',
      'error',
      `the clock says ${now.toISOString()}`,
      'set the time (sudo timedatectl set-time …) or enable NTP; schedules depend on it',
    );
  return ok('clock', `the clock says ${now.toISOString()}`);
}

export function checkDatabase(dataDir: string): Finding {
  const path = storePath(dataDir);
  if (!existsSync(path)) return ok('database', 'no database yet (it is created at first start)');
  const result = integrityCheck(path);
  if (result !== 'ok')
    return bad(
      'database',
      'error',
      `the database is damaged: ${result}`,
      'stop the hub and restore the latest backup: hearth restore <data-dir>/backups/<newest>.tar.gz',
    );
  return ok('database', 'database integrity ok');
}

export function checkOfflineDevices(dataDir: string, now = Date.now(), olderThanMs = 24 * 3600_000): Finding {
  const path = storePath(dataDir);
  if (!existsSync(path) || integrityCheck(path) !== 'ok') return ok('devices', 'no device data to check');
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT name, last_seen_at FROM devices WHERE last_seen_at IS NULL OR last_seen_at < ?')
      .all(now - olderThanMs) as Array<{ name: string; last_seen_at: number | null }>;
    if (rows.length === 0) return ok('devices', 'every device was seen in the last day');
    const names = rows
      .slice(0, 5)
      .map((r) => r.name)
      .join(', ');
    return bad(
      'devices',
      'warning',
      `${rows.length} device(s) not seen for over a day: ${names}${rows.length > 5 ? ', …' : ''}`,
      'check their power and Wi-Fi; remove the ones you no longer have',
    );
  } finally {
    db.close();
  }
}

function canListen(port: number, host: string): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (err) => resolve(err as NodeJS.ErrnoException));
    s.listen(port, host, () => s.close(() => resolve(null)));
  });
}

export async function checkPorts(config: Config, running: RunningHub | null): Promise<Finding[]> {
  const out: Finding[] = [];
  const held = running ? [running.httpPort, running.mqttPort, running.httpsPort, running.mqttTlsPort] : [];
  for (const [name, port, on] of [
    ['http', config.httpPort, config.http.plain],
    ['mqtt', config.mqttPort, config.mqtt.plain],
    ['https', config.httpsPort, true],
    ['mqtt-tls', config.mqttTlsPort, true],
  ] as const) {
    const id = `port-${name}`;
    if (!on) {
      out.push(ok(id, `plain ${name} is switched off`));
      continue;
    }
    if (port === 0) {
      out.push(ok(id, `${name} port picked at start`));
      continue;
    }
    if (running && held.includes(port)) {
      out.push(ok(id, `port ${port} (${name}) is held by this hub (pid ${running.pid})`));
      continue;
    }
    const err = await canListen(port, config.bind);
    if (!err) out.push(ok(id, `port ${port} (${name}) is free`));
    else if (err.code === 'EADDRINUSE')
      out.push(
        bad(
          id,
          'error',
          `port ${port} (${name}) is taken by another program`,
          `find it with: sudo ss -ltnp 'sport = :${port}'; stop it, or start Hearth with --${name}-port`,
        ),
      );
    else if (err.code === 'EACCES')
      out.push(
        bad(
          id,
          'error',
          `port ${port} (${name}) needs privileges`,
          `use a port above 1023, or install the service (it grants CAP_NET_BIND_SERVICE)`,
        ),
      );
    else
      out.push(bad(id, 'error', `cannot listen on ${config.bind}:${port}: ${err.message}`, 'check --bind'));
  }
  return out;
}

/** Connects to the running hub's MQTT port and sends a CONNECT; any CONNACK means it answers. */
export function checkBroker(running: RunningHub | null, timeoutMs = 3000): Promise<Finding> {
  if (!running) return Promise.resolve(ok('broker', 'the hub is not running (nothing to reach)'));
  if (running.mqttPort === 0)
    return Promise.resolve(
      ok('broker', 'plain MQTT is switched off (mqtt.plain); only MQTT over TLS listens'),
    );
  const { bind, mqttPort } = running;
  if (bind === undefined || mqttPort === undefined)
    return Promise.resolve(ok('broker', `the hub (pid ${running.pid}) is still starting`));
  return new Promise((resolve) => {
    const host = bind === '0.0.0.0' ? '127.0.0.1' : bind;
    const socket = connect({ host, port: mqttPort });
    const done = (f: Finding) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(f);
    };
    const timer = setTimeout(
      () =>
        done(
          bad(
            'broker',
            'error',
            `the broker on port ${running.mqttPort} did not answer`,
            'restart the hub; if it persists, read: journalctl -u hearth -n 100',
          ),
        ),
      timeoutMs,
    );
    socket.once('connect', () => {
      // CONNECT, MQTT 3.1.1, clean session, client id "doctor", no credentials: refused with 5, but answered.
      socket.write(
        Buffer.from([
          0x10, 0x12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 10, 0, 6, 0x64, 0x6f, 0x63, 0x74, 0x6f, 0x72,
        ]),
      );
    });
    socket.once('data', (d) =>
      done(
        d[0] === 0x20
          ? ok('broker', `the broker answers on port ${running.mqttPort}`)
          : bad(
              'broker',
              'error',
              'the broker answered with something that is not MQTT',
              'check that nothing else owns the port',
            ),
      ),
    );
    socket.once('error', (err) =>
      done(
        bad(
          'broker',
          'error',
          `cannot reach the broker: ${err.message}`,
          'restart the hub: sudo systemctl restart hearth',
        ),
      ),
    );
  });
}

export function checkMdns(config: Config): Promise<Finding> {
  if (!config.mdns.enabled) return Promise.resolve(ok('mdns', 'mDNS is turned off in the config'));
  const lan = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && a.family === 'IPv4');
  if (lan.length === 0)
    return Promise.resolve(
      bad(
        'mdns',
        'warning',
        'no LAN interface with an IPv4 address',
        'connect the Pi to the home network (Ethernet or Wi-Fi); devices find the hub by mDNS there',
      ),
    );
  return new Promise((resolve) => {
    const s = createSocket({ type: 'udp4', reuseAddr: true });
    s.once('error', (err) => {
      s.close();
      resolve(
        bad(
          'mdns',
          'warning',
          `cannot use UDP 5353 for mDNS: ${err.message}`,
          'another mDNS responder may be exclusive; devices can still use cached addresses',
        ),
      );
    });
    s.bind(5353, () => {
      try {
        s.addMembership('224.0.0.251');
        resolve(ok('mdns', `mDNS can run on ${lan.map((a) => a?.address).join(', ')}`));
      } catch (err) {
        resolve(
          bad(
            'mdns',
            'warning',
            `cannot join the mDNS group: ${(err as Error).message}`,
            'check that the interface allows multicast',
          ),
        );
      } finally {
        s.close();
      }
    });
  });
}

export function checkCloud(config: Config): Finding {
  if (!config.plugins['cloud-sync'])
    return ok('cloud', 'cloud sync is not configured (everything stays local)');
  return ok('cloud', 'cloud sync is configured; its live state is in the app (Hub) and /api/v1/health');
}

export async function runDoctor(config: Config): Promise<Finding[]> {
  const running = await probeRunningHub(config.dataDir);
  return [
    checkDataDir(config.dataDir),
    checkDisk(config.dataDir),
    checkClock(),
    checkDatabase(config.dataDir),
    ...(await checkPorts(config, running)),
    await checkBroker(running),
    await checkMdns(config),
    checkCloud(config),
    checkOfflineDevices(config.dataDir),
  ];
}
