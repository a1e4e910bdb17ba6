// A staged firmware rollout to a fleet (1000 lights in one fleet process, image ≥ 256 KiB) against
// a hub process: how long it takes, the hub's RSS while devices download, and the phone's command
// round trip to devices that are not updating meanwhile.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../hub/drills/cloud-broker.js';
import { hearthBin, startHubProcess } from '../hub/drills/hub-process.js';
import { spawnLightFleet } from './lib/light-fleet.js';
import { rawHttpClient } from './lib/raw-http-client.js';
import type { BenchRow } from './lib/report.js';
import { round, summarize } from './lib/stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchRollout(count = 1000, imageBytes = 262_144): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hearth-bench-ota-'));
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const hub = await startHubProcess({ httpPort, mqttPort });
  const api = async (path: string, init: { method?: string; body?: string } = {}) =>
    (
      await fetch(`${hub.baseUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' },
      })
    ).json() as Promise<Record<string, unknown>>;
  const hearth = (...args: string[]) =>
    execFileSync(process.execPath, [hearthBin, ...args], { encoding: 'utf8' });
  let fleet: ChildProcess | undefined;
  try {
    hearth('firmware', 'keygen', '--out', join(dir, 'keys'));
    const image = join(dir, 'light.hup');
    hearth(
      'firmware',
      'build',
      'light',
      '--version',
      '1.1.0',
      '--size',
      String(imageBytes),
      '--key',
      join(dir, 'keys', 'release.key'),
      '--out',
      image,
    );
    hearth('firmware', 'upload', image, '--hub', hub.baseUrl, '--token', hub.token);
    fleet = spawnLightFleet({
      count,
      hub,
      flashDir: join(dir, 'flash'),
      extra: ['--release-key', join(dir, 'keys', 'release.pub')],
    });
    for (;;) {
      const { devices } = (await api('/api/v1/devices')) as {
        devices: Array<{ id: string; online: boolean; firmware: string | null }>;
      };
      if (devices.length === count && devices.every((d) => d.online && d.firmware === '1.0.0')) break;
      await sleep(200);
    }
    const { devices } = (await api('/api/v1/devices')) as { devices: Array<{ id: string }> };
    const ids = devices.map((d) => d.id).sort();
    // The last wave's devices answer commands while the earlier waves update.
    const probeIds = ids.slice(-50);
    const client = await rawHttpClient(hub.baseUrl, hub.token);
    const t0 = performance.now();
    const started = (await api('/api/v1/firmware/rollouts', {
      method: 'POST',
      body: JSON.stringify({
        model: 'light',
        version: '1.1.0',
        canary: 1,
        waves: [10, 50, 100],
        maxFailures: 1,
      }),
    })) as { id: string };
    const rtts: number[] = [];
    let peakRss = 0;
    let status = 'running';
    let lastCheck = 0;
    let i = 0;
    while (status === 'running' && performance.now() - t0 < 600_000) {
      const c0 = performance.now();
      const res = await client.post(
        `/api/v1/devices/${probeIds[i % probeIds.length]}/commands`,
        JSON.stringify({ capability: 'power', value: i % 2 === 0 }),
      );
      if (res.status === 200) rtts.push(performance.now() - c0);
      i++;
      peakRss = Math.max(peakRss, hub.rssMb());
      if (performance.now() - lastCheck > 500) {
        lastCheck = performance.now();
        status = String((await api(`/api/v1/firmware/rollouts/${started.id}`)).status);
      }
      await sleep(5);
    }
    const seconds = (performance.now() - t0) / 1000;
    client.close();
    const done = (await api(`/api/v1/firmware/rollouts/${started.id}`)) as {
      status: string;
      devices: Array<{ status: string }>;
    };
    const updated = done.devices.filter((d) => d.status === 'updated').length;
    const rt = summarize(rtts);
    const note = `${count} lights, ${imageBytes} B image, canary 1 + 10%/50%/100%; ${updated} updated, status ${done.status}`;
    return [
      {
        bench: 'rollout',
        figure: `staged rollout to ${count} devices`,
        value: round(seconds, 1),
        unit: 's',
        target: '',
        pass: done.status === 'completed' && updated === count,
        note,
      },
      {
        bench: 'rollout',
        figure: 'hub RSS peak during the rollout',
        value: peakRss,
        unit: 'MB',
        target: '',
        pass: null,
      },
      {
        bench: 'rollout',
        figure: 'command round trip during the rollout, p50',
        value: round(rt.p50),
        unit: 'ms',
        target: '',
        pass: null,
        note: `${rt.n} commands to devices of the last wave`,
      },
      {
        bench: 'rollout',
        figure: 'command round trip during the rollout, p99',
        value: round(rt.p99),
        unit: 'ms',
        target: '',
        pass: null,
      },
    ];
  } finally {
    fleet?.kill('SIGKILL');
    await hub.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}
