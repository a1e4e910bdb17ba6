// Issue 21 "done when", with real processes: a real hub (in-process: broker with auth, SQLite,
// HTTP API), images made by `hearth firmware keygen|build`, uploaded and rolled out with
// `hearth firmware upload|rollout`, and fleets of simulated devices as `hearth fleet` and
// `hearth device run` processes that download, verify, flash, reboot and roll back by themselves.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../devices/support/plain-broker.js';
import { type HearthProcess, killAll, runHearth, spawnHearth } from '../../devices/support/processes.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

interface Rollout {
  id: string;
  status: string;
  createdAt: number;
  haltedReason: string | null;
  progress: Array<{
    label: string;
    devices: number;
    updated: number;
    failed: number;
    rolledBack: number;
    waiting: number;
  }>;
  devices: Array<{ deviceId: string; wave: number; status: string; reason: string | null }>;
}
interface DeviceView {
  id: string;
  model: string;
  firmware: string | null;
  online: boolean;
}

const FLEET = 50;
const HEALTH_MS = 3000;

describe('firmware rollouts end to end', () => {
  let hub: TestHub;
  let dir: ReturnType<typeof tempDir>;
  let fleet: HearthProcess;
  const auth = () => ['--hub', hub.baseUrl, '--token', hub.token];
  const events: Array<Record<string, unknown> & { deviceId: string; type: string }> = [];

  const hearth = async (...args: string[]) => {
    const r = await runHearth([...args, '--json']);
    return { ...r, json: r.json as Record<string, unknown> };
  };
  const build = async (model: string, version: string, extra: string[] = []) => {
    const out = join(dir.path, `${model}-${version}.hup`);
    const r = await hearth(
      'firmware',
      'build',
      model,
      '--version',
      version,
      '--key',
      join(dir.path, 'keys', 'release.key'),
      '--out',
      out,
      ...extra,
    );
    expect(r.code, r.stderr).toBe(0);
    return out;
  };
  const upload = async (file: string) => {
    const r = await hearth('firmware', 'upload', file, ...auth());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r.json;
  };
  const rollout = async (id: string) =>
    (await (await hub.api(`/api/v1/firmware/rollouts/${id}`)).json()) as Rollout;
  const until = (id: string, check: (r: Rollout) => boolean, what: string, timeoutMs = 30_000) =>
    waitFor(
      async () => {
        const r = await rollout(id);
        return check(r) ? r : undefined;
      },
      { what, timeoutMs, intervalMs: 50 },
    );
  const devices = async (model: string) =>
    ((await (await hub.api('/api/v1/devices')).json()) as { devices: DeviceView[] }).devices.filter(
      (d) => d.model === model,
    );
  const start = async (...args: string[]) => {
    const r = await hearth('firmware', 'rollout', 'start', ...args, ...auth());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r.json as unknown as Rollout;
  };

  beforeAll(async () => {
    hub = await startTestHub();
    dir = tempDir('hearth-ota-e2e-');
    hub.hub.context.bus.on('device.event', 'ota-e2e', ({ deviceId, event }) => {
      events.push({ deviceId, ...event });
    });
    expect((await hearth('firmware', 'keygen', '--out', join(dir.path, 'keys'))).code).toBe(0);
    fleet = spawnHearth([
      'fleet',
      '--model',
      'light',
      '--count',
      String(FLEET),
      ...auth(),
      '--json',
      '--release-key',
      join(dir.path, 'keys', 'release.pub'),
      '--ota-health-ms',
      String(HEALTH_MS),
      '--flash-dir',
      join(dir.path, 'fleet'),
    ]);
    const summary = await fleet.waitForLine((l) => l.event === 'summary', 'fleet summary', 30_000);
    expect(summary.online).toBe(FLEET);
    await waitFor(
      async () =>
        (await devices('light')).every((d) => d.firmware === '1.0.0') &&
        (await devices('light')).length === FLEET,
      { what: 'fleet info' },
    );
  }, 60_000);
  afterAll(async () => {
    await killAll();
    await hub.cleanup();
    dir.remove();
  });

  it('a good rollout moves the fleet wave by wave to the new version, a cut download resuming', async () => {
    await upload(await build('light', '1.1.0', ['--size', '262144']));
    const canary = (await devices('light')).map((d) => d.id).sort()[0] as string;
    fleet.send({ device: canary, fault: 'drop-download', afterBytes: 100_000 });
    await fleet.waitForLine((l) => l.ok === true && Array.isArray(l.devices), 'fault applied');
    const t0 = Date.now();
    const r = await start(
      '--model',
      'light',
      '--version',
      '1.1.0',
      '--canary',
      '1',
      '--waves',
      '25%,50%,100%',
      '--max-failures',
      '1',
    );
    expect(r.progress.map((w) => [w.label, w.devices])).toEqual([
      ['canary', 1],
      ['25%', 12],
      ['50%', 12],
      ['100%', 25],
    ]);
    // Commands keep working while devices update.
    const other = (await devices('light')).map((d) => d.id).sort()[FLEET - 1] as string;
    const cmd = await hub.api(`/api/v1/devices/${other}/commands?wait=5000`, {
      method: 'POST',
      json: { capability: 'power', value: true },
    });
    expect(((await cmd.json()) as { status: string }).status).toBe('done');
    const done = await until(r.id, (x) => x.status !== 'running', 'rollout finished', 60_000);
    expect(done.status, JSON.stringify(done.progress)).toBe('completed');
    expect(done.devices.every((d) => d.status === 'updated')).toBe(true);
    await waitFor(async () => (await devices('light')).every((d) => d.firmware === '1.1.0'), {
      what: 'all on 1.1.0',
    });
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeLessThan(45);
    expect(events.some((e) => e.deviceId === canary && e.phase === 'resumed')).toBe(true);
    const metrics = await (await hub.api('/metrics')).text();
    expect(metrics).toMatch(/hearth_firmware_range_requests_total [1-9]/);
    expect(metrics).toMatch(new RegExp(`hearth_firmware_results_total\\{result="updated"\\} ${FLEET}`));
    const status = await runHearth(['firmware', 'rollout', 'status', r.id, ...auth()]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/canary\s+\[#{30}\] 1\/1 updated/);
    console.log(`good rollout of ${FLEET} devices across 4 waves: ${seconds.toFixed(1)} s`);
  }, 90_000);

  it('a bad build stops at the canary, which is back on the old version by itself within the bound', async () => {
    await upload(await build('light', '1.2.0', ['--bad', 'never-reconnect']));
    const r = await start('--model', 'light', '--version', '1.2.0');
    const canary = r.devices.find((d) => d.wave === 0)?.deviceId as string;
    const halted = await until(r.id, (x) => x.status === 'halted', 'rollout halted', 30_000);
    // From the offer (sent as the rollout was created) to the hub hearing of the rollback.
    const back = Date.now() - r.createdAt;
    expect(halted.haltedReason).toMatch(/canary/);
    expect(halted.devices.find((d) => d.deviceId === canary)).toMatchObject({
      status: 'rolled-back',
      reason: expect.stringMatching(/no healthy confirmation/),
    });
    expect(halted.devices.filter((d) => d.wave > 0).every((d) => d.status === 'waiting')).toBe(true);
    expect(back).toBeLessThan(HEALTH_MS + 8000);
    const fleetNow = await waitFor(
      async () => {
        const all = await devices('light');
        return all.every((d) => d.online) && all;
      },
      { what: 'everyone online' },
    );
    expect(fleetNow.every((d) => d.firmware === '1.1.0')).toBe(true);
    const status = await runHearth(['firmware', 'rollout', 'status', r.id, ...auth()]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/halted/);
    expect(status.stdout).toMatch(/canary\s+\[r{30}\] 0\/1 updated, 0 failed, 1 rolled back/);
    console.log(
      `bad canary back on the old version ${(back / 1000).toFixed(1)} s after the offer (health bound ${HEALTH_MS / 1000} s after its reboot)`,
    );
  }, 60_000);

  it('a wrongly signed or tampered image, and an unsigned downgrade, are refused by the device', async () => {
    // Signed by another release key: the hub stores it (it holds no key), the device refuses it.
    expect((await hearth('firmware', 'keygen', '--out', join(dir.path, 'other'))).code).toBe(0);
    const foreign = join(dir.path, 'foreign.hup');
    expect(
      (
        await hearth(
          'firmware',
          'build',
          'light',
          '--version',
          '1.3.0',
          '--key',
          join(dir.path, 'other', 'release.key'),
          '--out',
          foreign,
        )
      ).code,
    ).toBe(0);
    await upload(foreign);
    let r = await start('--model', 'light', '--version', '1.3.0');
    let halted = await until(r.id, (x) => x.status === 'halted', 'foreign image halted');
    expect(halted.devices.find((d) => d.wave === 0)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/release key/),
    });

    // A tampered payload never reaches a device: the hub refuses it on upload.
    const good = readFileSync(await build('light', '1.4.0'));
    const bad = Buffer.from(good);
    bad[200] = (bad[200] ?? 0) ^ 1;
    writeFileSync(join(dir.path, 'tampered-payload.hup'), bad);
    const refused = await hearth('firmware', 'upload', join(dir.path, 'tampered-payload.hup'), ...auth());
    expect(refused.code).toBe(1);
    // A forged signature passes the hub's structural check; the device refuses it.
    const forged = Buffer.from(good);
    forged[forged.length - 40] = (forged[forged.length - 40] ?? 0) ^ 1;
    writeFileSync(join(dir.path, 'forged.hup'), forged);
    await upload(join(dir.path, 'forged.hup'));
    r = await start('--model', 'light', '--version', '1.4.0');
    halted = await until(r.id, (x) => x.status === 'halted', 'forged image halted');
    expect(halted.devices.find((d) => d.wave === 0)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/signature/),
    });

    // Downgrade: the hub asks for the signed permission; a device refuses one signed by another key.
    await upload(await build('light', '1.0.5'));
    const unsigned = await hearth(
      'firmware',
      'rollout',
      'start',
      '--model',
      'light',
      '--version',
      '1.0.5',
      ...auth(),
    );
    expect(unsigned.code).toBe(1);
    expect(unsigned.stdout).toMatch(/downgrade/);
    r = await start(
      '--model',
      'light',
      '--version',
      '1.0.5',
      '--allow-downgrade',
      '--key',
      join(dir.path, 'other', 'release.key'),
    );
    halted = await until(r.id, (x) => x.status === 'halted', 'forged downgrade halted');
    expect(halted.devices.find((d) => d.wave === 0)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/downgrade/),
    });
    expect((await devices('light')).every((d) => d.firmware === '1.1.0')).toBe(true);
  }, 60_000);

  it('a power cut (SIGKILL) mid-write boots the old slot; the update then completes', async () => {
    const image = join(dir.path, 'tv.img');
    const flashed = await hearth(
      'flash',
      'tv',
      '--name',
      'OTA TV',
      '--out',
      image,
      '--release-key',
      join(dir.path, 'keys', 'release.pub'),
      ...auth(),
    );
    expect(flashed.code, flashed.stderr).toBe(0);
    const id = (flashed.json.device as { id: string }).id;
    const run = (...extra: string[]) =>
      spawnHearth([
        'device',
        'run',
        image,
        '--flash-dir',
        join(dir.path, 'tv-flash'),
        '--json',
        '--log-level',
        'error',
        ...extra,
      ]);
    let proc = run('--fault', '{"fault":"slow-slot-write","ms":150}');
    await proc.waitForLine((l) => l.event === 'online', 'tv online');
    await upload(await build('tv', '2.0.0', ['--size', '300000']));
    const r = await start('--model', 'tv', '--version', '2.0.0', '--canary', '1', '--waves', '100%');
    await proc.waitForLine((l) => l.event === 'ota' && l.phase === 'writing', 'writing the slot', 20_000);
    proc.child.kill('SIGKILL');
    expect(await proc.exited).toBe('SIGKILL');
    const from = events.length;
    proc = run();
    await proc.waitForLine((l) => l.event === 'online', 'tv online again');
    const booted = await waitFor(
      () => events.slice(from).find((e) => e.deviceId === id && e.type === 'booted'),
      { what: 'booted event' },
    );
    expect(booted).toMatchObject({ firmware: '1.0.0', slot: 'a' });
    // The hub offers again on reconnect; this time the write completes.
    const done = await until(r.id, (x) => x.status !== 'running', 'tv rollout done');
    expect(done.status).toBe('completed');
    await proc.waitForLine((l) => l.event === 'ota' && l.phase === 'updated', 'tv updated');
    proc.child.kill('SIGKILL');
  }, 60_000);
});
