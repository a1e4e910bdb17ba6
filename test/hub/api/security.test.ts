import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../support/hub.js';

describe('security: tokens, pairing, device credentials', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ config: { pairing: { attemptsPerMinute: 3 } } });
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('refuses API calls without a token, with a garbage token, and with a revoked token (401)', async () => {
    for (const token of [null, 'nonsense', 'abc.def']) {
      const res = await t.api('/api/v1/devices', { token });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const created = await t.api('/api/v1/tokens', {
      method: 'POST',
      json: { name: 'script', role: 'member' },
    });
    expect(created.status).toBe(201);
    const { token, tokenView } = (await created.json()) as { token: string; tokenView: { id: string } };
    expect((await t.api('/api/v1/devices', { token })).status).toBe(200);
    expect((await t.api(`/api/v1/tokens/${tokenView.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await t.api('/api/v1/devices', { token })).status).toBe(401);
  });

  it('a member token may register devices but not manage tokens or remove devices (403)', async () => {
    const { token } = t.hub.tokens.create({ name: 'kid', role: 'member', actor: 'test' });
    const res = await t.api('/api/v1/devices', { method: 'POST', json: { name: 'x', model: 'tv' }, token });
    expect(res.status).toBe(201);
    const { device } = (await res.json()) as { device: { id: string } };
    expect((await t.api(`/api/v1/devices/${device.id}`, { method: 'DELETE', token })).status).toBe(403);
    expect((await t.api('/api/v1/tokens', { token })).status).toBe(403);
  });

  it('pairing: the right code gives a working token once; wrong codes are refused, then rate limited', async () => {
    const codeRes = await t.api('/api/v1/pairing-codes', { method: 'POST', json: { role: 'admin' } });
    const { code } = (await codeRes.json()) as { code: string };
    const pair = await t.api('/api/v1/pair', {
      method: 'POST',
      json: { code, name: 'my phone' },
      token: null,
    });
    expect(pair.status).toBe(201);
    expect(pair.headers.get('set-cookie')).toMatch(/hearth_token=.*HttpOnly.*SameSite=Strict/i);
    const { token } = (await pair.json()) as { token: string };
    expect((await t.api('/api/v1/session', { token })).status).toBe(200);
    // Cookie auth works too (what EventSource uses).
    const cookie = (pair.headers.get('set-cookie') as string).split(';')[0] as string;
    expect((await fetch(`${t.baseUrl}/api/v1/session`, { headers: { cookie } })).status).toBe(200);
    // /hub tells the app whether it is paired without a 401: the session for a good token, else null.
    const hubAs = async (headers: Record<string, string>) =>
      ((await (await fetch(`${t.baseUrl}/api/v1/hub`, { headers })).json()) as { session: unknown }).session;
    expect(await hubAs({ cookie })).toMatchObject({ name: 'my phone' });
    expect(await hubAs({})).toBeNull();
    expect(await hubAs({ cookie: 'hearth_token=abc.def' })).toBeNull();

    const reused = await t.api('/api/v1/pair', { method: 'POST', json: { code }, token: null });
    expect(reused.status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await t.api('/api/v1/pair', { method: 'POST', json: { code: '0000-0000' }, token: null })).status,
      );
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    const metrics = await (await t.api('/metrics')).text();
    expect(metrics).toMatch(/hearth_pairing_failures_total\{reason="rate_limited"\} [1-9]/);
  });

  it('refuses MQTT clients with a wrong secret, no credentials, or another device id', async () => {
    const { id } = await t.connectDevice('tv');
    const other = await t.connectDevice('tv');
    const attempts = [
      { clientId: id, username: id, password: 'wrong' },
      { clientId: 'anon-1' },
      { clientId: id, username: id, password: other.secret },
    ];
    for (const opts of attempts) {
      await expect(
        mqtt.connectAsync(t.mqttUrl, { ...opts, reconnectPeriod: 0, connectTimeout: 5000 }),
      ).rejects.toThrow();
    }
  });

  it("a device cannot publish into or read another device's topics", async () => {
    const a = await t.connectDevice('tv');
    const b = await t.connectDevice('tv');
    const suback = await a.client.subscribeAsync(`hearth/dev/${b.id}/cmd`, { qos: 1 }).then(
      () => null,
      (err: { packet?: { granted?: number[] } }) => err.packet?.granted,
    );
    expect(suback).toEqual([128]);
    // A forged state for b: the broker refuses it and disconnects a (MQTT-3.3.5-2), b's shadow never
    // changes, and the hub carries on serving.
    const closed = new Promise<void>((resolve) => a.client.once('close', () => resolve()));
    a.client.publish(
      `hearth/dev/${b.id}/state`,
      JSON.stringify({ seq: 99, ts: Date.now(), values: { power: true } }),
      { qos: 1 },
    );
    await closed;
    const probe = await t.api(`/api/v1/devices/${b.id}`);
    const view = (await probe.json()) as { reportedSeq: number };
    expect(view.reportedSeq).toBe(-1);
    const again = await t.connectDeviceAs(a.id);
    expect(again.connected).toBe(true);
  });
});
