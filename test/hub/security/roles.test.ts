// Roles and grants over real ports: a guest with one grant feeds the cat and nothing else, sees only
// that feeder in lists, in its event stream and on MQTT; a member cannot pair phones; changing a
// phone's role ends its open sessions at once.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedDevice, scriptDevice } from '../../support/device-client.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

const FEEDER = [{ name: 'feed' }, { name: 'hopper' }];

/** Reads an SSE stream into a list of {event, data} as it arrives. */
async function openStream(t: TestHub, token: string) {
  const res = await fetch(`${t.baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const events: Array<{ event: string; data: Record<string, unknown> }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const ended = (async () => {
    for (;;) {
      // The hub ending the stream shows as done, or as a terminated fetch.
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return Date.now();
      buffer += decoder.decode(value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        cut = buffer.indexOf('\n\n');
      }
    }
  })();
  await waitFor(() => events.some((e) => e.event === 'hello'), { what: 'the hello event' });
  return { events, ended, cancel: () => reader.cancel().catch(() => undefined) };
}

/** The SUBACK return codes for `filters` (mqtt.js rejects a refused subscription; 128 is refused). */
const subscribeCodes = (client: MqttClient, filters: string | string[]): Promise<number[]> =>
  client.subscribeAsync(filters).then(
    (granted) => granted.map((g) => g.qos),
    (err: { packet?: { granted?: number[] } }) => {
      if (!err.packet?.granted) throw err;
      return err.packet.granted;
    },
  );

describe('roles and grants', () => {
  let t: TestHub;
  let feeder: ScriptedDevice;
  let tv: ScriptedDevice;
  let guest: { token: string; id: string };
  const clients: MqttClient[] = [];

  const newToken = async (body: Record<string, unknown>) => {
    const res = await t.api('/api/v1/tokens', { method: 'POST', json: body });
    expect(res.status, await res.clone().text()).toBe(201);
    const b = (await res.json()) as { token: string; tokenView: { id: string } };
    return { token: b.token, id: b.tokenView.id };
  };
  const reader = async (token: string, clientId: string) => {
    const c = await mqtt.connectAsync(t.mqttUrl, {
      clientId,
      username: 'token',
      password: token,
      reconnectPeriod: 0,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startTestHub();
    const f = await t.connectDevice('feeder', { id: 'feeder-1' });
    feeder = await scriptDevice(f.id, f.client, FEEDER);
    await feeder.announce({ hopper: 100 });
    const v = await t.connectDevice('tv', { id: 'tv-1' });
    tv = await scriptDevice(v.id, v.client);
    await tv.announce();
    guest = await newToken({ name: 'dog-sitter', role: 'guest', grants: ['feeder-1:feed'] });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await t.cleanup();
  });

  it('a guest feeds the granted feeder; other devices, schedules, pairing and removal answer 403 naming the right', async () => {
    const fed = await t.api('/api/v1/devices/feeder-1/commands', {
      method: 'POST',
      json: { capability: 'feed', params: { portions: 1 } },
      token: guest.token,
    });
    expect(fed.status, await fed.clone().text()).toBe(200);
    const refusals: Array<[string, RequestInit & { json?: unknown }, string]> = [
      [
        '/api/v1/devices/tv-1/commands',
        { method: 'POST', json: { capability: 'power', value: true } },
        'devices.command',
      ],
      ['/api/v1/devices/tv-1', {}, 'devices.read'],
      ['/api/v1/schedules', {}, 'schedules.read'],
      ['/api/v1/pairing-codes', { method: 'POST', json: { role: 'guest' } }, 'people.manage'],
      ['/api/v1/devices/feeder-1', { method: 'DELETE' }, 'devices.remove'],
      ['/api/v1/tokens', {}, 'people.manage'],
    ];
    for (const [path, init, right] of refusals) {
      const res = await t.api(path, { ...init, token: guest.token });
      expect(res.status, path).toBe(403);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('forbidden');
      expect(body.error.message).toContain(right);
    }
    const list = (await (await t.api('/api/v1/devices', { token: guest.token })).json()) as {
      devices: Array<{ id: string }>;
    };
    expect(list.devices.map((d) => d.id)).toEqual(['feeder-1']);
  });

  it('grants are refused for roles other than guest, and bad grants are refused (422)', async () => {
    for (const body of [
      { name: 'x', role: 'member', grants: ['tv-1:*'] },
      { name: 'x', role: 'guest', grants: ['tv-1'] },
      { name: 'x', role: 'guest', grants: ['TV:power'] },
    ]) {
      const res = await t.api('/api/v1/tokens', { method: 'POST', json: body });
      expect(res.status).toBe(422);
    }
    const before = (await (await t.api('/api/v1/tokens')).json()) as { tokens: unknown[] };
    const patched = await t.api(`/api/v1/tokens/${guest.id}`, {
      method: 'PATCH',
      json: { role: 'admin', grants: ['tv-1:*'] },
    });
    expect(patched.status).toBe(422);
    const after = (await (await t.api('/api/v1/tokens')).json()) as { tokens: unknown[] };
    expect(after).toEqual(before);
  });

  it("a guest's event stream and MQTT view carry only the granted device", async () => {
    const stream = await openStream(t, guest.token);
    const mq = await reader(guest.token, 'guest-reader');
    expect(await subscribeCodes(mq, ['hearth/dev/+/state', 'hearth/dev/tv-1/state'])).toEqual([128, 128]);
    const got: string[] = [];
    mq.on('message', (topic) => got.push(topic));
    expect(await subscribeCodes(mq, 'hearth/dev/feeder-1/state')).toEqual([0]);
    // The tv reports first; once the hub has it, the feeder reports: a stream that carried the
    // tv's change would have it before the feeder's.
    await tv.publishState({ channel: 7 });
    await waitFor(
      async () =>
        ((await (await t.api('/api/v1/devices/tv-1')).json()) as { reported: { channel?: number } }).reported
          .channel === 7,
      { what: 'the tv state at the hub' },
    );
    await feeder.publishState({ hopper: 90 });
    await waitFor(
      () => stream.events.some((e) => e.event === 'device.state' && e.data.deviceId === 'feeder-1'),
      { what: "the feeder's state on the guest's stream" },
    );
    await waitFor(() => got.length >= 2, { what: 'retained and live feeder states over MQTT' });
    const deviceIds = stream.events.map((e) => e.data.deviceId).filter((id) => id !== undefined);
    expect(new Set(deviceIds)).toEqual(new Set(['feeder-1']));
    expect(new Set(got)).toEqual(new Set(['hearth/dev/feeder-1/state']));
    await stream.cancel();
    await mq.endAsync();
  });

  it('a member uses devices and schedules but cannot pair phones or manage people', async () => {
    const member = await newToken({ name: 'partner', role: 'member' });
    expect((await t.api('/api/v1/schedules', { token: member.token })).status).toBe(200);
    expect((await t.api('/api/v1/devices/tv-1', { token: member.token })).status).toBe(200);
    const pair = await t.api('/api/v1/pairing-codes', {
      method: 'POST',
      json: { role: 'member' },
      token: member.token,
    });
    expect(pair.status).toBe(403);
    expect(((await pair.json()) as { error: { message: string } }).error.message).toContain('people.manage');
    const promote = await t.api(`/api/v1/tokens/${member.id}`, {
      method: 'PATCH',
      json: { role: 'admin' },
      token: member.token,
    });
    expect(promote.status).toBe(403);
  });

  it("changing a phone's role closes its open event stream and MQTT session within 1 s", async () => {
    const phone = await newToken({ name: 'teen', role: 'member' });
    const stream = await openStream(t, phone.token);
    const mq = await reader(phone.token, 'teen-reader');
    await mq.subscribeAsync('hearth/dev/+/state');
    const mqttClosed = new Promise<number>((resolve) => mq.once('close', () => resolve(Date.now())));
    const t0 = Date.now();
    const res = await t.api(`/api/v1/tokens/${phone.id}`, {
      method: 'PATCH',
      json: { role: 'guest', grants: ['feeder-1:*'] },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { role: string; grants: string[] }).grants).toEqual(['feeder-1:*']);
    const [sseEnd, mqttEnd] = await Promise.all([stream.ended, mqttClosed]);
    expect(sseEnd - t0).toBeLessThan(1000);
    expect(mqttEnd - t0).toBeLessThan(1000);
    // Reconnected, it has the new rights: the feeder only.
    const again = await reader(phone.token, 'teen-reader-2');
    expect(await subscribeCodes(again, 'hearth/dev/+/state')).toEqual([128]);
    expect(await subscribeCodes(again, 'hearth/dev/feeder-1/state')).toEqual([0]);
    const session = (await (await t.api('/api/v1/session', { token: phone.token })).json()) as {
      role: string;
    };
    expect(session.role).toBe('guest');
  });
});
