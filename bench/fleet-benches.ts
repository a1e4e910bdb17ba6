// With 1000 simulated devices online (a fleet process) against a hub process: the phone's command
// round trip over HTTP (keep-alive fetch), the hub's memory, and a reconnect surge after a hub restart.
// The TLS run does the same with the devices on MQTT over TLS and the phone on HTTPS, judged against
// the plain run's figures of the same bench run.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../hub/drills/cloud-broker.js';
import { startHubProcess } from '../hub/drills/hub-process.js';
import { cpuSecondsOf } from '../hub/drills/proc-stats.js';
import { spawnLightFleet } from './lib/light-fleet.js';
import { rawHttpClient } from './lib/raw-http-client.js';
import { type BenchRow, check } from './lib/report.js';
import { round, summarize } from './lib/stats.js';

async function waitUntil<T>(
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const onlineOf = (metrics: string) => Number(/^hearth_devices_online (\d+)/m.exec(metrics)?.[1] ?? 0);
const accepted = (metrics: string) =>
  Number(/^hearth_mqtt_connections_total\{result="accepted"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
const handshakes = (metrics: string, resumed: 'yes' | 'no') =>
  Number(
    new RegExp(`^hearth_mqtt_tls_handshakes_total\\{resumed="${resumed}"\\} (\\d+)`, 'm').exec(
      metrics,
    )?.[1] ?? 0,
  );

/** Each device's desired state, as the API reports it. */
async function desiredStates(api: (path: string) => Promise<Response>): Promise<Map<string, string>> {
  const { devices } = (await (await api('/api/v1/devices')).json()) as {
    devices: Array<{ id: string; desired: unknown }>;
  };
  return new Map(devices.map((d) => [d.id, JSON.stringify(d.desired)]));
}

/** When a TCP connect to 127.0.0.1:port first succeeds (polled every 5 ms). */
async function firstListen(port: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return performance.now();
    if (performance.now() > deadline) throw new Error(`nothing listened on port ${port}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The plain run's figures, that the TLS run is judged against. */
export interface FleetAnchors {
  p50: number;
  p99: number;
  acceptS: number;
}

export async function benchFleet(
  count = 1000,
  requests = 3000,
  tls?: { anchors: FleetAnchors | null },
): Promise<{ rows: BenchRow[]; anchors: FleetAnchors }> {
  const [httpPort, mqttPort, httpsPort, mqttTlsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const ports = { httpPort, mqttPort, httpsPort, mqttTlsPort };
  let hub = await startHubProcess(ports);
  const api = (path: string, init: { method?: string; body?: string } = {}) =>
    fetch(`${hub.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' },
    });
  const metrics = async () => (await api('/metrics')).text();
  const online = async () => onlineOf(await metrics());
  let fleet: ChildProcess | undefined;
  // The simulated devices' flash lives in RAM (tmpfs) when the machine has one: a real device's flash
  // write is not this machine's disk fsync, which would otherwise dominate the round trip.
  const flashDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hearth-bench-flash-'));
  try {
    fleet = spawnLightFleet({ count, hub, flashDir, extra: tls ? ['--tls'] : [] });
    await waitUntil(async () => (await online()) >= count, 120_000, `${count} devices online`);
    const { devices } = (await (await api('/api/v1/devices')).json()) as { devices: Array<{ id: string }> };
    const ids = devices.map((d) => d.id);

    // Round trip: sequential, one keep-alive connection, random device, alternating power. A warm-up
    // first, reported on its own row: one command to each device (its first flash write creates
    // its slot files, as a device in a home long has), then as many again to random devices while
    // V8 optimizes and the heap settles after the connect storm. Then the measured commands.
    const client = tls
      ? await rawHttpClient(
          `https://127.0.0.1:${httpsPort}`,
          hub.token,
          readFileSync(join(hub.dataDir, 'tls', 'ca.crt'), 'utf8'),
        )
      : await rawHttpClient(hub.baseUrl, hub.token);
    const command = async (id: string, on: boolean) => {
      const t0 = performance.now();
      const res = await client.post(
        `/api/v1/devices/${id}/commands`,
        JSON.stringify({ capability: 'power', value: on }),
      );
      if (res.status !== 200) throw new Error(`command answered ${res.status}`);
      return performance.now() - t0;
    };
    const randomId = () => ids[Math.floor(Math.random() * ids.length)] as string;
    const warmup: number[] = [];
    for (const id of ids) warmup.push(await command(id, true));
    for (let i = 0; i < count; i++) warmup.push(await command(randomId(), i % 2 === 0));
    const samples: number[] = [];
    for (let i = 0; i < requests; i++) samples.push(await command(randomId(), i % 2 === 0));
    client.close();
    const rt = summarize(samples);
    const cold = summarize(warmup);
    const rss = hub.rssMb();

    // Reconnect surge: restart the hub on the same ports; every device comes back by itself.
    const desiredBefore = await desiredStates(api);
    await hub.stop('SIGTERM');
    const surgeStart = performance.now();
    const fleetCpu0 = cpuSecondsOf(fleet.pid);
    const listening = firstListen(tls ? mqttTlsPort : mqttPort, 30_000);
    hub = await startHubProcess({ dataDir: hub.dataDir, token: hub.token, ...ports });
    const listenedAt = await listening;
    let probes = 0;
    let probeFailures = 0;
    let probeMax = 0;
    let peakRss = 0;
    let acceptedAt: number | undefined;
    let onlineAt: number | undefined;
    while (onlineAt === undefined && performance.now() - surgeStart < 60_000) {
      const p0 = performance.now();
      try {
        const r = await fetch(`${hub.baseUrl}/api/v1/hub`);
        await r.arrayBuffer();
        if (!r.ok) probeFailures++;
      } catch {
        probeFailures++;
      }
      probes++;
      probeMax = Math.max(probeMax, performance.now() - p0);
      const m = await metrics();
      const now = performance.now();
      if (acceptedAt === undefined && accepted(m) >= count) acceptedAt = now;
      if (onlineOf(m) >= count) onlineAt = now;
      peakRss = Math.max(peakRss, hub.rssMb());
      await new Promise((r) => setTimeout(r, 50));
    }
    // Where the surge's CPU went: the restarted hub, and the fleet process (1000 devices' client side).
    const hubCpuS = hub.cpuSeconds();
    const fleetCpuS = cpuSecondsOf(fleet.pid) - fleetCpu0;
    const afterSurge = await metrics();
    const desiredAfter = await desiredStates(api);
    const desiredLost = [...desiredBefore].filter(([id, d]) => desiredAfter.get(id) !== d).length;
    const acceptS = acceptedAt === undefined ? Number.NaN : (acceptedAt - listenedAt) / 1000;
    const onlineS = onlineAt === undefined ? Number.NaN : (onlineAt - surgeStart) / 1000;
    const anchors = { p50: rt.p50, p99: rt.p99, acceptS };
    const rows: BenchRow[] = [
      {
        bench: 'round trip',
        figure: `phone HTTP → device ack, ${count} online, p50`,
        value: round(rt.p50, 2),
        unit: 'ms',
        target: '<= 1',
        pass: check(rt.p50, '<=', 1),
        key: 'roundtrip.p50',
      },
      {
        bench: 'round trip',
        figure: 'p99',
        value: round(rt.p99, 2),
        unit: 'ms',
        target: '<= 5',
        pass: check(rt.p99, '<=', 5),
        key: 'roundtrip.p99',
      },
      { bench: 'round trip', figure: 'max', value: round(rt.max, 2), unit: 'ms', target: '', pass: null },
      {
        bench: 'round trip',
        figure: `warm-up, first ${warmup.length} commands after the fleet connected, p50 / p99`,
        value: round(cold.p50, 2),
        unit: `ms / ${round(cold.p99, 2)} ms`,
        target: '',
        pass: null,
      },
      {
        bench: 'memory',
        figure: `hub RSS, ${count} devices connected`,
        value: rss,
        unit: 'MB',
        target: '<= 120',
        pass: check(rss, '<=', 120),
        key: 'memory.rss',
      },
      {
        bench: 'reconnect surge',
        figure: `all ${count} accepted again, from the restarted hub listening`,
        value: round(acceptS, 2),
        unit: 's',
        target: '<= 3',
        pass: check(acceptS, '<=', 3),
      },
      {
        bench: 'reconnect surge',
        figure: `all ${count} online again (subscribed, state re-reported), from SIGTERM`,
        value: round(onlineS, 2),
        unit: 's',
        target: '<= 10',
        pass: check(onlineS, '<=', 10),
      },
      {
        bench: 'reconnect surge',
        figure: 'hub restart, SIGTERM → MQTT listening',
        value: round((listenedAt - surgeStart) / 1000, 2),
        unit: 's',
        target: '',
        pass: null,
      },
      {
        bench: 'reconnect surge',
        figure: 'desired states lost',
        value: desiredLost,
        unit: `of ${desiredBefore.size}`,
        target: '0',
        pass: desiredLost === 0 && desiredBefore.size === count,
      },
      {
        bench: 'reconnect surge',
        figure: 'API probes failed / made',
        value: probeFailures,
        unit: `of ${probes}`,
        target: '0',
        pass: probeFailures === 0,
      },
      {
        bench: 'reconnect surge',
        figure: 'slowest API probe',
        value: round(probeMax, 1),
        unit: 'ms',
        target: '',
        pass: null,
      },
      {
        bench: 'reconnect surge',
        figure: 'CPU until all online: the restarted hub / the fleet process (from SIGTERM)',
        value: round(hubCpuS, 2),
        unit: `s / ${round(fleetCpuS, 2)} s`,
        target: '',
        pass: null,
      },
      ...(tls
        ? [
            {
              bench: 'reconnect surge',
              figure: 'MQTT TLS handshakes in the surge: resumed / full',
              value: handshakes(afterSurge, 'yes'),
              unit: `/ ${handshakes(afterSurge, 'no')}`,
              target: '',
              pass: null,
            },
          ]
        : []),
      {
        bench: 'reconnect surge',
        figure: 'hub peak RSS',
        value: peakRss,
        unit: 'MB',
        target: '',
        pass: null,
      },
    ];
    return { rows: tls ? asTlsRows(rows, rt, acceptS, tls.anchors) : rows, anchors };
  } finally {
    fleet?.kill('SIGKILL');
    await hub.cleanup();
    rmSync(flashDir, { recursive: true, force: true });
  }
}

/**
 * The TLS run's rows: named as such, and judged as TARGETS.md does, against the plain run of the
 * same bench run (round trip ≤ 1.2×, surge ≤ 1.5×) and RSS ≤ 130 MB.
 */
function asTlsRows(
  rows: BenchRow[],
  rt: { p50: number; p99: number },
  acceptS: number,
  plain: FleetAnchors | null,
): BenchRow[] {
  const ratio = (v: number, anchor: number | undefined) =>
    anchor ? ` (${round(v / anchor, 2)}× plain)` : '';
  return rows.map((row) => {
    // Keys of their own: a ratio row must never find the TLS figure where it asks for the plain one.
    const tlsRow = { ...row, bench: `${row.bench} over TLS`, ...(row.key ? { key: `${row.key}.tls` } : {}) };
    if (row.bench === 'round trip' && row.figure.endsWith('p50'))
      return {
        ...tlsRow,
        figure: `phone HTTPS → device (MQTT over TLS) ack, p50${ratio(rt.p50, plain?.p50)}`,
        target: plain ? `<= ${round(plain.p50 * 1.2, 2)}` : '',
        pass: plain ? check(rt.p50, '<=', plain.p50 * 1.2) : null,
      };
    if (row.bench === 'round trip' && row.figure === 'p99')
      return {
        ...tlsRow,
        figure: `p99${ratio(rt.p99, plain?.p99)}`,
        target: plain ? `<= ${round(plain.p99 * 1.2, 2)}` : '',
        pass: plain ? check(rt.p99, '<=', plain.p99 * 1.2) : null,
      };
    if (row.bench === 'memory')
      return { ...tlsRow, target: '<= 130', pass: check(Number(row.value), '<=', 130) };
    if (row.bench === 'reconnect surge' && row.figure.startsWith('all') && row.figure.includes('accepted'))
      return {
        ...tlsRow,
        figure: `${row.figure}${ratio(acceptS, plain?.acceptS)}`,
        target: plain ? `<= ${round(plain.acceptS * 1.5, 2)}` : '<= 4',
        pass: plain ? check(acceptS, '<=', plain.acceptS * 1.5) : check(acceptS, '<=', 4),
      };
    return tlsRow;
  });
}
