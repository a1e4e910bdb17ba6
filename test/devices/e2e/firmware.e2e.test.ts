// Issue 4 "done when", end to end: a real hub (in-process: broker with auth, registry, command
// service, HTTP API) and simulated devices as separate `hearth device run` processes, flashed
// through the hub's API with `hearth flash`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKER_MODES, startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';
import { tempDir } from '../support/plain-broker.js';
import { type HearthProcess, killAll, runHearth, spawnHearth } from '../support/processes.js';

interface DeviceJson {
  id: string;
  online: boolean;
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
  fault: string | null;
}

describe.each(BROKER_MODES)('simulated firmware against a real hub (%s broker)', (mode) => {
  let hub: TestHub;
  let dir: ReturnType<typeof tempDir>;
  const events: Array<{ deviceId: string; type: string }> = [];

  beforeAll(async () => {
    hub = await startTestHub({ broker: mode });
    dir = tempDir('hearth-e2e-');
    hub.hub.context.bus.on('device.event', 'e2e-test', ({ deviceId, event }) => {
      events.push({ deviceId, type: event.type });
    });
  });
  afterAll(async () => {
    await killAll();
    await hub.cleanup();
    dir.remove();
  });

  const flash = async (model: string, name: string) => {
    const out = join(dir.path, `${model}.img`);
    const r = await runHearth([
      'flash',
      model,
      '--name',
      name,
      '--hub',
      hub.baseUrl,
      '--token',
      hub.token,
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, image: out, factory: false, device: { model, name } });
    const device = (r.json as { device: { id: string } }).device;
    return { id: device.id, image: out };
  };

  const boot = (image: string, ...extra: string[]): HearthProcess =>
    spawnHearth([
      'device',
      'run',
      image,
      '--flash-dir',
      dir.path,
      '--json',
      '--log-level',
      'error',
      ...extra,
    ]);

  const device = async (id: string): Promise<DeviceJson> =>
    (await (await hub.api(`/api/v1/devices/${id}`)).json()) as DeviceJson;
  const until = (id: string, check: (d: DeviceJson) => boolean, what: string) =>
    waitFor(
      async () => {
        const d = await device(id);
        return check(d) ? d : undefined;
      },
      { what, timeoutMs: 15_000, intervalMs: 25 },
    );

  const command = (id: string, body: Record<string, unknown>, wait = 5000) =>
    hub.api(`/api/v1/devices/${id}/commands?wait=${wait}`, { method: 'POST', json: body });

  it('TV: commands over HTTP are acked and change state; SIGKILL → offline by will; restart reconciles', async () => {
    const tv = await flash('tv', 'Living room TV');
    let proc = boot(tv.image);
    await until(tv.id, (d) => d.online, 'TV online');

    const power = await command(tv.id, { capability: 'power', value: true });
    expect(power.status).toBe(200);
    expect(await power.json()).toMatchObject({ status: 'done', capability: 'power' });
    expect((await command(tv.id, { capability: 'channel', value: 42 })).status).toBe(200);
    const refused = await command(tv.id, { capability: 'volume', value: 120 });
    expect(refused.status).toBe(422);
    expect((await device(tv.id)).reported).toMatchObject({ power: true, channel: 42 });

    proc.child.kill('SIGKILL');
    expect(await proc.exited).toBe('SIGKILL');
    await until(tv.id, (d) => !d.online, 'TV offline through the will');

    const queued = await command(tv.id, { capability: 'volume', value: 33 }, 0);
    expect(queued.status).toBe(202);
    proc = boot(tv.image);
    const back = await until(
      tv.id,
      (d) => d.online && d.reported.volume === 33,
      'TV back, volume reconciled',
    );
    expect(back.reported).toMatchObject({ power: true, channel: 42, volume: 33 });
    for (const [k, v] of Object.entries(back.desired)) expect(back.reported[k], k).toEqual(v);
    proc.child.kill('SIGKILL');
    await proc.exited;
  });

  it('feeder: an expired feed is never performed; a valid one once, even re-sent across a reboot', async () => {
    const feeder = await flash('feeder', 'Cat feeder');
    let proc = boot(feeder.image);
    await until(feeder.id, (d) => d.online && d.reported.hopper === 100, 'feeder online');

    // Offline: one feed that will expire before it returns, one that will still be valid.
    proc.child.kill('SIGKILL');
    await proc.exited;
    await until(feeder.id, (d) => !d.online, 'feeder offline');
    const late = (await (
      await command(feeder.id, { capability: 'feed', params: { portions: 2 }, ttlMs: 300 }, 0)
    ).json()) as { id: string };
    const valid = (await (
      await command(feeder.id, { capability: 'feed', params: { portions: 1 } }, 0)
    ).json()) as { id: string };
    await waitFor(
      async () =>
        ((await (await hub.api(`/api/v1/commands/${late.id}`)).json()) as { status: string }).status ===
        'expired',
      {
        what: 'the short feed to expire',
      },
    );

    // Back online with acks held back, so it can be cut off after feeding but before the hub hears.
    proc = boot(feeder.image, '--fault', JSON.stringify({ fault: 'slow-acks', ms: 60_000 }));
    await until(feeder.id, (d) => d.online && d.reported.hopper === 95, 'one portion fed');
    const status = async (id: string) =>
      ((await (await hub.api(`/api/v1/commands/${id}`)).json()) as { status: string }).status;
    expect(await status(valid.id)).toBe('sent');

    proc.child.kill('SIGKILL');
    await proc.exited;
    // Rebooted: the hub re-sends the pending feed; the feeder answers from memory and feeds no more.
    proc = boot(feeder.image);
    await waitFor(async () => (await status(valid.id)) === 'done', {
      what: 'the valid feed acked',
      timeoutMs: 15_000,
    });
    expect(await status(late.id)).toBe('expired');
    expect((await device(feeder.id)).reported.hopper).toBe(95);
    expect(events.filter((e) => e.deviceId === feeder.id && e.type === 'fed')).toHaveLength(1);

    // A jam: the hub hears device_fault.
    proc.send({ fault: 'jam' });
    await until(feeder.id, (d) => d.fault === 'jam', 'jam reported');
    const jammed = await command(feeder.id, { capability: 'feed', params: { portions: 1 } });
    expect(jammed.status).toBe(409);
    expect(((await jammed.json()) as { error: { code: string } }).error.code).toBe('device_fault');
    proc.child.kill('SIGKILL');
    await proc.exited;
  });

  it('device run: several images in one process, control lines on stdin, graceful SIGTERM', async () => {
    const a = await flash('light', 'Porch light');
    const b = await flash('contact-sensor', 'Back door');
    const proc = spawnHearth([
      'device',
      'run',
      a.image,
      b.image,
      '--flash-dir',
      dir.path,
      '--json',
      '--log-level',
      'error',
    ]);
    await until(a.id, (d) => d.online, 'light online');
    await until(b.id, (d) => d.online, 'sensor online');
    proc.send({ id: 'q1', do: 'status' });
    const status = await proc.waitForLine((l) => l.reply === 'q1', 'status reply');
    expect((status.devices as Array<{ id: string }>).map((d) => d.id).sort()).toEqual([a.id, b.id].sort());
    proc.send({ id: 'q2', device: 'nope', fault: 'drop' });
    expect(await proc.waitForLine((l) => l.reply === 'q2')).toMatchObject({
      ok: false,
      error: { code: 'unknown_device' },
    });
    proc.send({ id: 'q3', device: b.id, sense: { contact: false } });
    await until(b.id, (d) => d.reported.contact === false, 'door open');
    await waitFor(() => events.some((e) => e.deviceId === b.id && e.type === 'contact'), {
      what: 'contact event',
    });
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    await until(a.id, (d) => !d.online, 'light says offline');
  });

  it('refuses corrupt, truncated and wrong-version images with a clear error', async () => {
    const { image } = await flash('light', 'Hall light');
    const good = readFileSync(image);
    const variants: Array<[string, Buffer, RegExp]> = [
      ['truncated', good.subarray(0, good.length - 7), /truncated: expected \d+ bytes/],
      ['corrupt', Buffer.from(good).fill(0x41, 140, 150), /corrupt: the body does not match its sha256/],
      [
        'wrong-version',
        (() => {
          const b = Buffer.from(good);
          b.writeUInt16BE(9, 8);
          return b;
        })(),
        /format version 9 is not supported/,
      ],
      ['not-an-image', Buffer.from('hello'), /not a Hearth firmware image/],
    ];
    for (const [name, bytes, message] of variants) {
      const path = join(dir.path, `${name}.img`);
      writeFileSync(path, bytes);
      const r = await runHearth(['device', 'run', path, '--flash-dir', dir.path]);
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr).toContain(path);
    }
  });

  it('flash: factory images need no token; refuses clearly without a token, with a wrong one, for an unknown model', async () => {
    const noToken = await runHearth(['flash', 'tv', '--name', 'x', '--hub', hub.baseUrl]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/admin token is required/);
    const wrong = await runHearth([
      'flash',
      'tv',
      '--name',
      'x',
      '--hub',
      hub.baseUrl,
      '--token',
      'nope',
      '--json',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.json).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const factory = join(dir.path, 'factory.img');
    const f = await runHearth([
      'flash',
      'feeder',
      '--name',
      'Boxed feeder',
      '--factory',
      '--out',
      factory,
      '--json',
    ]);
    expect(f.code, f.stderr).toBe(0);
    expect(f.json).toMatchObject({
      ok: true,
      factory: true,
      claimId: expect.stringMatching(/^[a-z0-9]{12}$/),
      setupCode: expect.stringMatching(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/),
    });
    const { claimId, setupCode } = f.json as { claimId: string; setupCode: string };
    const inspect = await runHearth(['device', 'inspect', factory, '--json']);
    expect(inspect.json).toMatchObject({
      header: { factory: true, model: 'feeder' },
      identity: { hasSetupCode: true },
      hasCredentials: false,
    });
    expect(inspect.stdout).not.toMatch(/secret/);
    // The setup code is on the label only: printed by flash, again by inspect --label, text and QR.
    expect(inspect.stdout).not.toContain(setupCode.replaceAll('-', ''));
    const label = await runHearth(['device', 'inspect', '--label', factory]);
    expect(label.code, label.stderr).toBe(0);
    expect(label.stdout).toContain(`setup code  ${setupCode}`);
    expect(label.stdout).toContain(claimId);
    expect(label.stdout).toMatch(/[▄▀█]{10}/);
    expect((await runHearth(['device', 'inspect', '--label', factory, '--json'])).json).toEqual({
      claimId,
      setupCode,
      model: 'feeder',
    });
    const shown = await runHearth([
      'flash',
      'tv',
      '--name',
      'Boxed TV',
      '--factory',
      '--out',
      `${factory}.tv`,
    ]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/setup code {2}[A-Z2-7]{4}(-[A-Z2-7]{4}){3}\n/);
    expect(shown.stdout).toMatch(/[▄▀█]{10}/);
    const registered = await flash('plug', 'Labelled plug');
    const noLabel = await runHearth(['device', 'inspect', '--label', registered.image, '--json']);
    expect(noLabel.code).toBe(1);
    expect(noLabel.json).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    const model = await runHearth(['flash', 'toaster', '--name', 'x', '--token', 't']);
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/unknown model "toaster"/);
  });
});
