// Revoking a token ends what was opened with it: its MQTT sessions and its live event streams,
// within a second, whether it was revoked through the API or by `hearth tokens revoke` in another
// process on the same data directory.
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHearth } from '../../devices/support/processes.js';
import { startTestHub, type TestHub } from '../../support/hub.js';

describe('revoking a token cuts off its open sessions', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const newToken = async (name: string) => {
    const res = await t.api('/api/v1/tokens', { method: 'POST', json: { name, role: 'member' } });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; tokenView: { id: string } };
    return { token: body.token, id: body.tokenView.id };
  };

  /** An MQTT reader and an SSE stream opened with `token`; resolve with ms from `since()` to their end. */
  const openSessions = async (token: string) => {
    const client: MqttClient = await mqtt.connectAsync(t.mqttUrl, {
      clientId: `reader-${token.slice(0, 6)}`,
      username: 'token',
      password: token,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync('hearth/dev/+/state');
    const res = await fetch(`${t.baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('event: hello');
    let t0 = 0;
    const mqttClosed = new Promise<number>((resolve) => client.once('close', () => resolve(Date.now() - t0)));
    const sseEnded = (async () => {
      while (!(await reader.read()).done) {
        // keep-alives and events until the hub ends the stream
      }
      return Date.now() - t0;
    })();
    return {
      mark: () => {
        t0 = Date.now();
      },
      elapsed: () => Date.now() - t0,
      ended: Promise.all([mqttClosed, sseEnded]),
      client,
      async close() {
        await reader.cancel();
        await sseEnded.catch(() => undefined);
        await client.endAsync();
      },
    };
  };

  it('through the API: its MQTT session and event stream end within 1 s; other tokens keep theirs', async () => {
    const doomed = await newToken('dog-sitter');
    const kept = await newToken('kitchen tablet');
    const a = await openSessions(doomed.token);
    const b = await openSessions(kept.token);
    a.mark();
    expect((await t.api(`/api/v1/tokens/${doomed.id}`, { method: 'DELETE' })).status).toBe(200);
    const [mqttMs, sseMs] = await a.ended;
    expect(mqttMs).toBeLessThan(1000);
    expect(sseMs).toBeLessThan(1000);
    expect(b.client.connected).toBe(true);
    // The revoked token can neither reconnect nor call the API.
    const again = await mqtt
      .connectAsync(t.mqttUrl, {
        clientId: 'again',
        username: 'token',
        password: doomed.token,
        reconnectPeriod: 0,
      })
      .catch((e: Error) => e);
    expect(String(again)).toMatch(/bad username or password|not authorized/i);
    expect((await t.api('/api/v1/devices', { token: doomed.token })).status).toBe(401);
    await b.close();
  });

  it('by `hearth tokens revoke` in another process: sessions end within 1 s of it finishing', async () => {
    const doomed = await newToken('old phone');
    const s = await openSessions(doomed.token);
    s.mark();
    const r = await runHearth(['tokens', 'revoke', '--id', doomed.id, '--data-dir', t.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const finishedMs = s.elapsed();
    // The hub may notice before the command has even exited; it must not take longer than 1 s after.
    const [mqttMs, sseMs] = await s.ended;
    expect(mqttMs - finishedMs).toBeLessThan(1000);
    expect(sseMs - finishedMs).toBeLessThan(1000);
  });
});
