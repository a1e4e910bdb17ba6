// The Idempotency-Key header of POST /devices/:id/commands against a real hub, a real SQLite file
// and a device on a real MQTT connection: a retried POST (at once, concurrently, after a hub
// restart) makes one command; the same key with another body is a 409 conflict.
import { describe, expect, it } from 'vitest';
import { scriptDevice } from '../../support/device-client.js';
import { startTestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

type Rec = { id: string; status: string; value?: unknown };

describe('Idempotency-Key on the command route', () => {
  it('same key and body → the same command, once; other body → 409 conflict; kept across a restart', async () => {
    const first = await startTestHub();
    const { id, secret, client } = await first.connectDevice('tv');
    const device = await scriptDevice(id, client);
    await device.announce();
    await waitFor(() => first.hub.context.registry.get(id)?.online, { what: 'tv online' });
    const post = (t: typeof first, key: string | null, json: unknown, token = first.token) =>
      t.api(`/api/v1/devices/${id}/commands`, {
        method: 'POST',
        json,
        token,
        ...(key !== null ? { headers: { 'idempotency-key': key } } : {}),
      });

    const a = await post(first, 'phone-retry-1', { capability: 'channel', value: 7 });
    expect(a.status).toBe(200);
    const rec = (await a.json()) as Rec;
    // A phone that lost the answer retries, twice at once.
    const again = await Promise.all([
      post(first, 'phone-retry-1', { value: 7, capability: 'channel' }),
      post(first, 'phone-retry-1', { capability: 'channel', value: 7 }),
    ]);
    for (const r of again) {
      expect(r.status).toBe(200);
      expect(((await r.json()) as Rec).id).toBe(rec.id);
    }
    const conflict = await post(first, 'phone-retry-1', { capability: 'channel', value: 8 });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe('conflict');
    const bad = await post(first, 'has space', { capability: 'channel', value: 9 });
    expect(bad.status).toBe(422);
    // Another caller's key of the same name is its own.
    const other = first.hub.tokens.create({ name: 'other', role: 'admin', actor: 'test' }).token;
    const theirs = await post(first, 'phone-retry-1', { capability: 'channel', value: 9 }, other);
    expect(theirs.status).toBe(200);
    expect(((await theirs.json()) as Rec).id).not.toBe(rec.id);
    await waitFor(() => device.commands.length === 2, { what: 'the two distinct commands' });
    expect(device.commands.map((c) => c.value)).toEqual([7, 9]);

    // Nothing in memory: the key is on disk.
    await first.stop();
    const second = await startTestHub({ dataDir: first.dataDir });
    try {
      const back = await scriptDevice(id, await second.connectDeviceAs(id, secret), undefined, 100);
      await back.announce({ power: false, channel: 9, volume: 10, mute: false, input: 'tv' });
      await waitFor(() => second.hub.context.registry.get(id)?.online, { what: 'tv online again' });
      const later = await post(second, 'phone-retry-1', { capability: 'channel', value: 7 });
      expect(later.status).toBe(200);
      expect(((await later.json()) as Rec).id).toBe(rec.id);
      const list = (await (await second.api(`/api/v1/devices/${id}/commands`)).json()) as { commands: Rec[] };
      expect(list.commands).toHaveLength(2);
      expect(back.commands).toHaveLength(0);
    } finally {
      await second.cleanup();
    }
  });
});
