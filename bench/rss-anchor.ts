// The memory anchor, measured in the same run as the hub's RSS: a plain aedes process (node's
// defaults) holding 1000 MQTT clients, over TCP and over TLS. TARGETS' anchor (107 MB) is aedes
// with the clients connected and nothing more; the second load is what a Hearth light does on
// connecting (persistent session, retained will, three subscriptions, three retained messages),
// which is what the hub holds for each device.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { MqttClient } from 'mqtt';
import { freePort } from '../hub/drills/cloud-broker.js';
import { createCa } from '../hub/tls/ca.js';
import { issueLeaf } from '../hub/tls/leaf.js';
import { startPlainAedes } from './lib/aedes-peer.js';
import type { BenchRow } from './lib/report.js';

type Load = 'connected' | 'device';
const PASSWORD = 'p'.repeat(32);
const idOf = (i: number) => `light-${i.toString(16).padStart(8, '0')}`;

async function connectOne(port: number, i: number, load: Load, ca: string | undefined): Promise<MqttClient> {
  const id = idOf(i);
  const m = new MqttClient(
    () =>
      ca
        ? tlsConnect({ host: '127.0.0.1', port, ca })
        : netConnect({ host: '127.0.0.1', port, noDelay: true }),
    {
      clientId: id,
      username: id,
      password: PASSWORD,
      protocolVersion: 4,
      clean: load === 'connected',
      reconnectPeriod: 0,
      keepalive: 60,
      ...(load === 'device'
        ? {
            will: { topic: `hearth/dev/${id}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
          }
        : {}),
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      m.once('connect', () => resolve());
      m.once('error', reject);
    });
    // Later errors end the figure (the peer's RSS is read regardless), not the bench.
    m.on('error', () => undefined);
    if (load === 'device') await announceLikeALight(m, id);
    return m;
  } catch (err) {
    m.end(true);
    throw err;
  }
}

async function announceLikeALight(m: MqttClient, id: string): Promise<void> {
  const t = `hearth/dev/${id}`;
  await m.subscribeAsync([`${t}/cmd`, `${t}/ota`, 'hearth/hub/+'], { qos: 1 });
  await m.publishAsync(`${t}/info`, JSON.stringify({ model: 'light', firmware: '1.0.0' }), {
    qos: 1,
    retain: true,
  });
  const state = { seq: 1, ts: Date.now(), values: { power: false, brightness: 50, color_temp: 300 } };
  await m.publishAsync(`${t}/state`, JSON.stringify(state), { qos: 1, retain: true });
  await m.publishAsync(`${t}/status`, 'online', { qos: 1, retain: true });
}

async function aedesRss(
  count: number,
  load: Load,
  tls: { key: string; cert: string; ca: string } | undefined,
) {
  const users = Array.from({ length: count }, (_, i) => ({ username: idOf(i), password: PASSWORD }));
  const peer = await startPlainAedes(await freePort(), users, tls && { key: tls.key, cert: tls.cert });
  const clients: MqttClient[] = [];
  try {
    for (let i = 0; i < count; i++) clients.push(await connectOne(peer.port, i, load, tls?.ca));
    await new Promise((r) => setTimeout(r, 1000)); // the broker's last acks and timers settle
    return peer.rssMb();
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await peer.stop();
  }
}

export async function benchRssAnchor(count = 1000): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-rss-anchor-'));
  try {
    const ca = await createCa();
    const leaf = await issueLeaf(ca, { dns: [], ips: ['127.0.0.1'] });
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    writeFileSync(key, leaf.keyPem);
    writeFileSync(cert, leaf.certPem);
    const tls = { key, cert, ca: ca.certPem };
    const rows: BenchRow[] = [];
    for (const load of ['connected', 'device'] as const) {
      const plain = await aedesRss(count, load, undefined);
      const overTls = await aedesRss(count, load, tls);
      const what = load === 'connected' ? 'connected (TARGETS’ anchor)' : 'doing what a Hearth light does';
      rows.push(
        {
          bench: 'anchor',
          figure: `plain aedes RSS, ${count} clients ${what}`,
          value: plain,
          unit: 'MB',
          target: '',
          pass: null,
          key: `anchor.aedes-rss.${load}`,
        },
        {
          bench: 'anchor',
          figure: `the same over TLS (+${overTls - plain} MB)`,
          value: overTls,
          unit: 'MB',
          target: '',
          pass: null,
          key: `anchor.aedes-rss.${load}.tls`,
        },
      );
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
