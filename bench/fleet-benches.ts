// With 1000 simulated devices online (a fleet process) against a hub process: the phone's command
// round trip over HTTP (keep-alive fetch), the hub's memory, and a reconnect surge after a hub restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../hub/drills/cloud-broker.js';
import { hearthBin, startHubProcess } from '../hub/drills/hub-process.js';
import { leanClient } from './lib/http-client.js';
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

export async function benchFleet(count = 1000, requests = 2000): Promise<BenchRow[]> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  let hub = await startHubProcess({ httpPort, mqttPort });
  const api = (path: string, init: { method?: string; body?: string } = {}) =>
    fetch(`${hub.baseUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' },
    });
  const online = async () => {
    const text = await (await api('/metrics')).text();
    return Number(/^hearth_devices_online (\d+)/m.exec(text)?.[1] ?? 0);
  };
  let fleet: ChildProcess | undefined;
  // The simulated devices' flash lives in RAM (tmpfs) when the machine has one: a real device's flash
  // write is not this machine's disk fsync, which would otherwise dominate the round trip.
  const flashDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hearth-bench-flash-'));
  try {
    fleet = spawn(
      process.execPath,
      [
        hearthBin,
        'fleet',
        '--model',
        'light',
        '--count',
        String(count),
        '--hub',
        hub.baseUrl,
        '--token',
        hub.token,
        '--json',
        '--flash-dir',
        flashDir,
      ],
      {
        stdio: ['ignore', 'ignore', 'ignore'],
        env: { ...process.env, HEARTH_DEVICE_MDNS: 'off' },
      },
    );
    await waitUntil(async () => (await online()) >= count, 120_000, `${count} devices online`);
    const { devices } = (await (await api('/api/v1/devices')).json()) as { devices: Array<{ id: string }> };
    const ids = devices.map((d) => d.id);

    // Round trip: sequential, one keep-alive connection, random device, alternating power.
    const client = leanClient(hub.baseUrl, hub.token);
    const samples: number[] = [];
    for (let i = 0; i < requests; i++) {
      const id = ids[Math.floor(Math.random() * ids.length)];
      const t0 = performance.now();
      const res = await client.post(
        `/api/v1/devices/${id}/commands`,
        JSON.stringify({ capability: 'power', value: i % 2 === 0 }),
      );
      if (res.status !== 200) throw new Error(`command answered ${res.status}`);
      samples.push(performance.now() - t0);
    }
    client.close();
    const rt = summarize(samples);
    const rss = hub.rssMb();

    // Reconnect surge: restart the hub on the same ports; every device comes back by itself.
    await hub.stop('SIGTERM');
    const surgeStart = performance.now();
    hub = await startHubProcess({ dataDir: hub.dataDir, token: hub.token, httpPort, mqttPort });
    let probes = 0;
    let probeFailures = 0;
    let probeMax = 0;
    let back = 0;
    let peakRss = 0;
    while (back < count && performance.now() - surgeStart < 60_000) {
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
      back = await online();
      peakRss = Math.max(peakRss, hub.rssMb());
      await new Promise((r) => setTimeout(r, 50));
    }
    const surgeS = (performance.now() - surgeStart) / 1000;
    return [
      {
        bench: 'round trip',
        figure: `phone HTTP → device ack, ${count} online, p50`,
        value: round(rt.p50, 2),
        unit: 'ms',
        target: '<= 1',
        pass: check(rt.p50, '<=', 1),
      },
      {
        bench: 'round trip',
        figure: 'p99',
        value: round(rt.p99, 2),
        unit: 'ms',
        target: '<= 5',
        pass: check(rt.p99, '<=', 5),
      },
      { bench: 'round trip', figure: 'max', value: round(rt.max, 2), unit: 'ms', target: '', pass: null },
      {
        bench: 'memory',
        figure: `hub RSS, ${count} devices connected`,
        value: rss,
        unit: 'MB',
        target: '<= 120',
        pass: check(rss, '<=', 120),
      },
      {
        bench: 'reconnect surge',
        figure: `all ${count} back online after a hub restart`,
        value: round(surgeS, 2),
        unit: 's',
        target: '<= 3',
        pass: back >= count && check(surgeS, '<=', 3),
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
        figure: 'hub peak RSS',
        value: peakRss,
        unit: 'MB',
        target: '',
        pass: null,
      },
    ];
  } finally {
    fleet?.kill('SIGKILL');
    await hub.cleanup();
    rmSync(flashDir, { recursive: true, force: true });
  }
}
