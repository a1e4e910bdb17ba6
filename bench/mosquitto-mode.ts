// The hub in mosquitto mode, beside mosquitto alone (and the embedded figures of the fan-in and
// fleet sections): QoS 0 fan-in through the hub's mosquitto against a mosquitto with only auth and
// ACL; the phone-command round trip; 1000 devices connecting at once; RSS of hub + mosquitto.
import { freePort } from '../hub/drills/cloud-broker.js';
import { type HubProcess, startHubProcess } from '../hub/drills/hub-process.js';
import { fanIn, MOSQUITTO_READER, type RunResult, registerPublishers } from './fan-in.js';
import { type Credentials, client } from './lib/bench-client.js';
import type { BrokerPeer } from './lib/broker-peer.js';
import { DYNSEC_ADMIN, startDynsecMosquitto } from './lib/dynsec-mosquitto.js';
import { startMosquitto } from './lib/mosquitto-peer.js';
import { rawHttpClient } from './lib/raw-http-client.js';
import { type BenchRow, check } from './lib/report.js';
import { round, summarize } from './lib/stats.js';

const DEVICES = 1000;
const BENCH = 'mosquitto mode';

const row = (
  figure: string,
  value: number,
  unit: string,
  target = '',
  pass: boolean | null = null,
  key?: string,
): BenchRow => ({
  bench: BENCH,
  figure,
  value,
  unit,
  target,
  pass,
  ...(key ? { key } : {}),
});

async function register(hub: HubProcess, name: string): Promise<Credentials> {
  const res = await fetch(`${hub.baseUrl}/api/v1/devices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, model: 'light' }),
  });
  if (!res.ok) throw new Error(`registering ${name}: HTTP ${res.status} ${await res.text()}`);
  const { device, secret } = (await res.json()) as { device: { id: string }; secret: string };
  return { username: device.id, password: secret, clientId: device.id };
}

/** A member token made through the running hub, so it is provisioned in mosquitto too. */
async function tokenReader(hub: HubProcess): Promise<Credentials> {
  const res = await fetch(`${hub.baseUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench-reader', role: 'member' }),
  });
  const { token, tokenView } = (await res.json()) as { token: string; tokenView: { id: string } };
  return { username: `token-${tokenView.id}`, password: token, clientId: 'fan-in-reader' };
}

/** When the process stopped using CPU (no 5 ms in 250 ms): the hub has stored every event by then. */
async function idleSince(cpu: () => number): Promise<number> {
  let last = cpu();
  let lastBusy = performance.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const now = cpu();
    if (now - last > 0.005 * (50 / 250)) lastBusy = performance.now();
    last = now;
    if (performance.now() - lastBusy > 250) return lastBusy;
  }
}

/**
 * Best of two 100k runs after a warm-up. With `drained`, also the rate until that process is idle
 * again (the hub has validated and stored every event), and the CPU of both until then.
 */
async function bestOf(
  port: number,
  pubs: Credentials[],
  reader: Credentials,
  cpu: () => number,
  drained?: () => number,
): Promise<{ routed: RunResult; stored?: RunResult }> {
  await fanIn(port, pubs, reader, 0, 5000, cpu);
  if (drained) await idleSince(drained);
  let best: { routed: RunResult; stored?: RunResult } | undefined;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const cpu0 = cpu();
    const routed = await fanIn(port, pubs, reader, 0, 100_000, cpu);
    let stored: RunResult | undefined;
    if (drained) {
      const end = await idleSince(drained);
      const received = 100_000 - routed.lost;
      stored = {
        rate: received / ((end - t0) / 1000),
        cpuUsPerMsg: ((cpu() - cpu0) * 1e6) / received,
        lost: routed.lost,
      };
    }
    if (!best || routed.rate > best.routed.rate) best = { routed, ...(stored ? { stored } : {}) };
  }
  return best as { routed: RunResult; stored?: RunResult };
}

async function fanInRows(hub: HubProcess, broker: BrokerPeer): Promise<BenchRow[]> {
  const publishers = await registerPublishers(hub);
  const reader = await tokenReader(hub);
  const alone = await startMosquitto(await freePort(), publishers, MOSQUITTO_READER);
  try {
    const both = () => hub.cpuSeconds() + broker.cpuSeconds();
    const mode = await bestOf(broker.port, publishers, reader, both, () => hub.cpuSeconds());
    const bare = (await bestOf(alone.port, publishers, MOSQUITTO_READER, () => alone.cpuSeconds())).routed;
    const stored = mode.stored as RunResult;
    const ratio = mode.routed.rate / bare.rate;
    const storedRatio = stored.rate / bare.rate;
    return [
      row('fan-in QoS 0, hub on mosquitto: routed to a token reader', Math.round(mode.routed.rate), 'msg/s'),
      row(
        'fan-in QoS 0, hub on mosquitto: until the hub has stored every event',
        Math.round(stored.rate),
        `msg/s, ${round(stored.cpuUsPerMsg, 1)} µs CPU/msg hub + mosquitto`,
      ),
      row(
        'fan-in QoS 0, mosquitto alone (auth + ACL)',
        Math.round(bare.rate),
        `msg/s, ${round(bare.cpuUsPerMsg, 1)} µs CPU/msg`,
      ),
      row(
        'fan-in QoS 0, routed with the hub on mosquitto / mosquitto alone',
        round(ratio, 2),
        'x',
        '>= 0.8x',
        check(ratio, '>=', 0.8),
      ),
      row('fan-in QoS 0, stored by the hub / mosquitto alone', round(storedRatio, 2), 'x'),
      row('fan-in QoS 0, messages lost (both)', mode.routed.lost + bare.lost, 'msgs'),
    ];
  } finally {
    await alone.stop();
  }
}

async function roundTripRows(hub: HubProcess): Promise<BenchRow[]> {
  const dev = await register(hub, 'round-trip light');
  const c = await client(hub.mqttPort, dev);
  c.on('message', (_t, p) => {
    const { id } = JSON.parse(p.toString()) as { id: string };
    c.publish(`hearth/dev/${dev.username}/ack`, JSON.stringify({ id, ok: true }), { qos: 1 });
  });
  await c.subscribeAsync(`hearth/dev/${dev.username}/cmd`, { qos: 1 });
  await c.publishAsync(`hearth/dev/${dev.username}/status`, 'online', { qos: 1, retain: true });
  const http = await rawHttpClient(hub.baseUrl, hub.token);
  const samples: number[] = [];
  try {
    for (let i = 0; i < 2500; i++) {
      const t0 = performance.now();
      const r = await http.post(
        `/api/v1/devices/${dev.username}/commands?wait=5000`,
        JSON.stringify({ capability: 'power', value: i % 2 === 0 }),
      );
      if (r.status !== 200) throw new Error(`command: HTTP ${r.status} ${r.body}`);
      if (i >= 500) samples.push(performance.now() - t0);
    }
  } finally {
    http.close();
    await c.endAsync(true);
  }
  const rt = summarize(samples);
  return [
    row(
      'phone command → device ack over HTTP, p50',
      round(rt.p50, 3),
      'ms',
      '',
      null,
      'mosquitto-mode.roundtrip.p50',
    ),
    row(
      'phone command → device ack over HTTP, p99',
      round(rt.p99, 3),
      'ms',
      '',
      null,
      'mosquitto-mode.roundtrip.p99',
    ),
  ];
}

async function onlineInHub(hub: HubProcess, count: number): Promise<void> {
  for (;;) {
    const res = await fetch(`${hub.baseUrl}/api/v1/health`, {
      headers: { authorization: `Bearer ${hub.token}` },
    });
    const h = (await res.json()) as { components: { devices: { detail: { online: number } } } };
    if (h.components.devices.detail.online >= count) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * 1000 devices connect at once; then the hub is restarted while they stay on mosquitto, and comes
 * back to them (its RSS is read then: a fresh hub with 1000 devices, as the embedded figure is).
 */
async function surgeRows(
  first: HubProcess,
  broker: BrokerPeer,
  env: NodeJS.ProcessEnv,
): Promise<{ rows: BenchRow[]; hub: HubProcess }> {
  const creds: Credentials[] = [];
  for (let i = 0; i < DEVICES; i++) creds.push(await register(first, `surge ${i}`));
  const t0 = performance.now();
  const clients = await Promise.all(creds.map((c) => client(first.mqttPort, c)));
  const accepted = performance.now() - t0;
  await Promise.all(
    clients.map((c, i) =>
      c.publishAsync(`hearth/dev/${creds[i]?.username}/status`, 'online', { qos: 1, retain: true }),
    ),
  );
  const registered = (await (
    await fetch(`${first.baseUrl}/api/v1/devices`, { headers: { authorization: `Bearer ${first.token}` } })
  ).json()) as { devices: unknown[] };
  await onlineInHub(first, DEVICES);
  const online = performance.now() - t0;
  await first.stop();
  const t1 = performance.now();
  const hub = await startHubProcess({ dataDir: first.dataDir, token: first.token, env });
  await onlineInHub(hub, DEVICES);
  const back = performance.now() - t1;
  const hubMb = hub.rssMb();
  const brokerMb = broker.rssMb();
  await Promise.all(clients.map((c) => c.endAsync(true)));
  return {
    hub,
    rows: [
      row(`${DEVICES} devices connecting at once: all accepted by mosquitto`, round(accepted / 1000, 2), 's'),
      row(`${DEVICES} devices connecting at once: all online in the hub`, round(online / 1000, 2), 's'),
      row(
        `hub restarted under ${registered.devices.length} registered devices (they stay on mosquitto): all online again`,
        round(back / 1000, 2),
        's, spawn included',
      ),
      row(
        `RSS hub + mosquitto, ${DEVICES} devices connected`,
        Math.round(hubMb + brokerMb),
        `MB (hub ${Math.round(hubMb)}, mosquitto ${Math.round(brokerMb)})`,
        '<= 80 MB',
        check(hubMb + brokerMb, '<=', 80),
      ),
    ],
  };
}

export async function benchMosquittoMode(): Promise<BenchRow[]> {
  const broker = await startDynsecMosquitto(await freePort());
  const env = {
    HEARTH_BROKER__MODE: 'mosquitto',
    HEARTH_BROKER__URL: `mqtt://127.0.0.1:${broker.port}`,
    HEARTH_BROKER__USERNAME: DYNSEC_ADMIN.username,
    HEARTH_BROKER__PASSWORD: DYNSEC_ADMIN.password,
  };
  let hub: HubProcess | undefined;
  try {
    hub = await startHubProcess({ env });
    const rows = [...(await fanInRows(hub, broker)), ...(await roundTripRows(hub))];
    const surge = await surgeRows(hub, broker, env);
    hub = surge.hub;
    return [...rows, ...surge.rows];
  } finally {
    await hub?.cleanup();
    await broker.stop();
  }
}

export const MOSQUITTO_MODE_NOTE =
  "mosquitto mode: the hub process (its V8 flags) as a client of a mosquitto 2.0 with the dynamic-security plugin, every device, token reader and publisher provisioned by the hub; \"mosquitto alone\" is the fan-in section's mosquitto (password file + ACL, same fairness settings), with no hub; CPU per message adds the hub's and mosquitto's; the surge connects registered devices from the bench process at once and waits for each to be online in the hub (its retained status).";
