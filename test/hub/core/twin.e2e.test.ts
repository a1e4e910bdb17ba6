// Device twin semantics against a real hub: a real simulated TV (its IR remote is a `device`-wins
// setting) whose channel changes on the set, a device on a real MQTT connection whose `hub`-wins
// setting drifts (on its own and across a reconnect), and settings that expire or are refused.
// Everything is read back through the HTTP API, as the phone sees it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAll, runHearth, spawnHearth } from '../../devices/support/processes.js';
import { scriptDevice } from '../../support/device-client.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

interface View {
  online: boolean;
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
  twin: { converged: boolean; delta: Record<string, unknown>; pending: string[]; changedOnDevice: string[] };
}

describe('device twin: desired, reported, delta and a policy per setting', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await killAll();
    await t.cleanup();
  });
  const view = async (id: string) => (await (await t.api(`/api/v1/devices/${id}`)).json()) as View;
  const until = (id: string, check: (v: View) => boolean, what: string) =>
    waitFor(
      async () => {
        const v = await view(id);
        return check(v) ? v : undefined;
      },
      { what, timeoutMs: 15_000, intervalMs: 25 },
    );
  const command = (id: string, json: unknown) =>
    t.api(`/api/v1/devices/${id}/commands`, { method: 'POST', json });

  it('a TV changed with its own remote (device wins): desired follows, the API says so, nothing is sent back', async () => {
    const image = join(t.dataDir, 'tv.img');
    const flashed = await runHearth([
      'flash',
      'tv',
      '--name',
      'Lounge TV',
      '--hub',
      t.baseUrl,
      '--token',
      t.token,
      '--out',
      image,
      '--json',
    ]);
    expect(flashed.code, flashed.stderr).toBe(0);
    const id = (flashed.json as { device: { id: string } }).device.id;
    const tv = spawnHearth(['device', 'run', image, '--flash-dir', join(t.dataDir, 'flash'), '--json']);
    await until(id, (v) => v.online, 'tv online');
    expect((await command(id, { capability: 'channel', value: 7 })).status).toBe(200);
    const set = await until(id, (v) => v.reported.channel === 7, 'channel 7 reported');
    expect(set.desired.channel).toBe(7);
    expect(set.twin).toMatchObject({ converged: true, delta: {}, pending: [] });

    tv.send({ sense: { channel: 3 } });
    const moved = await until(id, (v) => v.reported.channel === 3, 'channel 3 from the remote');
    expect(moved.desired.channel).toBe(3);
    expect(moved.twin).toEqual({ converged: true, delta: {}, pending: [], changedOnDevice: ['channel'] });
    // A reconnect changes nothing: the hub does not push channel 7 back.
    // The TV may be back within a few ms (full-jitter backoff from 0), faster than any poll of the
    // API: the hub's own availability events tell the drop and the return.
    const seen: boolean[] = [];
    const stopListening = t.hub.context.bus.on('device.availability', 'twin-test', (e) => {
      if (e.deviceId === id) seen.push(e.online);
    });
    tv.send({ fault: 'drop' });
    await waitFor(() => seen.includes(false) && seen.at(-1) === true, {
      what: 'tv dropped and back',
      timeoutMs: 15_000,
    });
    stopListening();
    await until(id, (v) => v.online, 'tv back');
    const list = (await (await t.api(`/api/v1/devices/${id}/commands`)).json()) as { commands: unknown[] };
    expect(list.commands).toHaveLength(1);
    expect((await view(id)).reported.channel).toBe(3);
    // The next command from the phone clears the mark.
    expect((await command(id, { capability: 'channel', value: 5 })).status).toBe(200);
    expect((await until(id, (v) => v.reported.channel === 5, 'channel 5')).twin.changedOnDevice).toEqual([]);
    // A push of channel 7 after the reconnect would have gone before this command: there was none.
    const after = (await (await t.api(`/api/v1/devices/${id}/commands`)).json()) as {
      commands: Array<{ value: unknown }>;
    };
    expect(after.commands.map((c) => c.value)).toEqual([5, 7]);
  }, 60_000);

  it('a hub-wins setting that drifts is sent again, on drift and on reconnect', async () => {
    const caps = [{ name: 'power' }, { name: 'channel', twin: 'hub' }];
    const { id, secret, client } = await t.connectDevice('tv');
    const dev = await scriptDevice(id, client, caps);
    await dev.announce({ power: true, channel: 1 });
    await until(id, (v) => v.online && v.reported.channel === 1, 'device online');
    expect((await command(id, { capability: 'channel', value: 7 })).status).toBe(200);
    await until(id, (v) => v.reported.channel === 7, 'channel 7');

    await dev.publishState({ channel: 3 });
    await waitFor(() => dev.commands.filter((c) => c.value === 7).length === 2, { what: 'channel 7 again' });
    const fixed = await until(id, (v) => v.reported.channel === 7 && v.twin.converged, 'corrected');
    expect(fixed.desired.channel).toBe(7);
    const again = (await (await t.api(`/api/v1/devices/${id}/commands`)).json()) as {
      commands: Array<{ source: string; value: unknown }>;
    };
    expect(again.commands[0]).toMatchObject({ source: 'twin', value: 7 });

    // It comes back from a reboot believing channel 4.
    await client.endAsync();
    await until(id, (v) => !v.online, 'offline');
    const back = await scriptDevice(id, await t.connectDeviceAs(id, secret), caps, 100);
    await back.announce({ power: true, channel: 4 });
    await waitFor(() => back.commands.some((c) => c.value === 7), { what: 'channel 7 on reconnect' });
    await until(id, (v) => v.reported.channel === 7 && v.twin.converged, 'corrected after reconnect');
  });

  it('a setting that expires or is refused returns desired to reported; pending shows meanwhile', async () => {
    const { id, client } = await t.connectDevice('tv');
    const dev = await scriptDevice(id, client);
    await dev.announce({ power: false, channel: 2, volume: 10, mute: false, input: 'tv' });
    await until(id, (v) => v.online && v.reported.channel === 2, 'device online');
    dev.answerWith(() => null); // it takes commands and never answers

    const late = await t.api(`/api/v1/devices/${id}/commands?wait=0`, {
      method: 'POST',
      json: { capability: 'channel', value: 9, ttlMs: 1500 },
    });
    expect(late.status).toBe(202);
    const waiting = await view(id);
    expect(waiting.desired.channel).toBe(9);
    expect(waiting.twin).toMatchObject({ converged: false, delta: { channel: 9 }, pending: ['channel'] });
    const expired = await until(id, (v) => v.twin.pending.length === 0, 'expired');
    expect(expired.desired.channel).toBe(2);
    expect(expired.twin).toMatchObject({ converged: true, delta: {} });

    dev.answerWith(() => ({ ok: false, error: { code: 'device_fault', message: 'tuner jammed' } }));
    expect((await command(id, { capability: 'volume', value: 55 })).status).toBe(409);
    const refused = await view(id);
    expect(refused.desired.volume).toBe(10);
    expect(refused.twin.converged).toBe(true);
  });
});
