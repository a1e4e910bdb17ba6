import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptDevice } from '../../support/device-client.js';
import { startTestHub, type TestHub } from '../../support/hub.js';
import { waitFor } from '../../support/wait.js';

/** Every bad input gets its error code, a counter, and changes nothing. */
describe('bad input over HTTP and MQTT', () => {
  let t: TestHub;
  let tvId: string;
  let snapshot: () => Promise<unknown>;
  beforeAll(async () => {
    t = await startTestHub();
    const { id, client } = await t.connectDevice('tv');
    tvId = id;
    const device = await scriptDevice(id, client);
    await device.announce();
    await waitFor(() => t.hub.context.registry.get(id)?.reportedSeq === 1, { what: 'first state' });
    snapshot = async () => {
      const view = (await (await t.api(`/api/v1/devices/${tvId}`)).json()) as Record<string, unknown>;
      const commands = (await (await t.api(`/api/v1/devices/${tvId}/commands`)).json()) as {
        commands: unknown[];
      };
      return {
        reported: view.reported,
        desired: view.desired,
        seq: view.reportedSeq,
        commands: commands.commands.length,
      };
    };
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const cases: Array<[string, RequestInit & { json?: unknown }, number, string]> = [
    [
      'malformed JSON',
      { method: 'POST', body: '{"capability": "power", ', headers: { 'content-type': 'application/json' } },
      400,
      'invalid_json',
    ],
    ['wrong type', { method: 'POST', json: { capability: 'power', value: 'yes' } }, 422, 'invalid_payload'],
    ['out of range', { method: 'POST', json: { capability: 'volume', value: 101 } }, 422, 'out_of_range'],
    [
      'unknown capability',
      { method: 'POST', json: { capability: 'warp_drive', value: 1 } },
      422,
      'unknown_capability',
    ],
    [
      'capability the device lacks',
      { method: 'POST', json: { capability: 'brightness', value: 5 } },
      422,
      'unsupported',
    ],
    [
      'read-only sensor',
      { method: 'POST', json: { capability: 'power', params: { x: 1 } } },
      422,
      'invalid_payload',
    ],
    [
      'extra fields',
      { method: 'POST', json: { capability: 'power', value: true, sudo: true } },
      422,
      'invalid_payload',
    ],
    [
      'oversized body',
      { method: 'POST', json: { capability: 'power', value: true, pad: 'x'.repeat(70_000) } },
      413,
      'payload_too_large',
    ],
    ['bad wait', { method: 'POST', json: { capability: 'power', value: true } }, 422, 'invalid_payload'],
  ];

  for (const [name, init, status, code] of cases) {
    it(`${name} → ${status} ${code}, nothing changed`, async () => {
      const before = await snapshot();
      const path =
        name === 'bad wait' ? `/api/v1/devices/${tvId}/commands?wait=-5` : `/api/v1/devices/${tvId}/commands`;
      const res = await t.api(path, init);
      expect(res.status).toBe(status);
      const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
      expect(body.ok).toBe(false);
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(5);
      expect(await snapshot()).toEqual(before);
      const metrics = await (await t.api('/metrics')).text();
      expect(metrics).toMatch(new RegExp(`hearth_api_errors_total\\{code="${code}"\\} [1-9]`));
    });
  }

  /** A POST with a chunked body (no content-length): the size is only known while reading it. */
  const postChunked = (path: string, chunks: string[]) =>
    new Promise<{ status: number; body: { error?: { code: string } } & Record<string, unknown> }>(
      (resolve, reject) => {
        const req = request(`${t.baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      },
    );

  it('an oversized chunked body → 413 payload_too_large, nothing changed; a small one is read whole', async () => {
    const before = await snapshot();
    const big = await postChunked(`/api/v1/devices/${tvId}/commands`, [
      '{"capability":"power","value":true,"pad":"',
      ...Array.from({ length: 9 }, () => 'x'.repeat(8192)),
      '"}',
    ]);
    expect(big.status).toBe(413);
    expect(big.body.error?.code).toBe('payload_too_large');
    expect(await snapshot()).toEqual(before);
    const small = await postChunked(`/api/v1/devices/${tvId}/commands?wait=0`, [
      '{"capability":',
      '"channel","value":',
      '7}',
    ]);
    expect(small.status).toBeLessThan(300);
    expect(small.body.capability).toBe('channel');
  });

  it('unknown device → 404 unknown_device', async () => {
    const res = await t.api('/api/v1/devices/no-such-tv/commands', {
      method: 'POST',
      json: { capability: 'power', value: true },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unknown_device');
    expect((await t.api('/api/v1/devices/NOT_AN_ID')).status).toBe(404);
  });

  it('invalid MQTT payloads from a device are refused, counted, and change nothing', async () => {
    const { client } = { client: await t.connectDeviceAs(tvId) };
    const before = await snapshot();
    const bad: Array<[string, string | Buffer]> = [
      ['state', '{"seq": 5, "values": '],
      ['state', JSON.stringify({ seq: 'five', ts: 1, values: {} })],
      ['state', JSON.stringify({ seq: 6, ts: 1, values: { warp_drive: 9 } })],
      ['state', JSON.stringify({ seq: 7, ts: 1, values: { brightness: 9 } })],
      ['state', Buffer.alloc(20_000, 0x7b)],
      ['state', Buffer.from([0xff, 0xfe, 0x00])],
      ['info', JSON.stringify({ model: 'tv' })],
      ['status', 'maybe'],
      ['ack', JSON.stringify({ id: 'x' })],
    ];
    for (const [channel, payload] of bad)
      await client.publishAsync(`hearth/dev/${tvId}/${channel}`, payload, { qos: 1 });
    // A good state after the bad ones: once it is in, the bad ones were seen before it.
    await client.publishAsync(
      `hearth/dev/${tvId}/state`,
      JSON.stringify({ seq: 1, ts: 1, values: { power: true } }),
      { qos: 1 },
    );
    const metrics = await waitFor(
      async () => {
        const text = await (await t.api('/metrics')).text();
        return /hearth_stale_states_total [1-9]/.test(text) ? text : null;
      },
      { what: 'stale state counted' },
    );
    const refused = [...metrics.matchAll(/hearth_invalid_payloads_total\{[^}]*\} (\d+)/g)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    expect(refused).toBe(bad.length);
    expect(await snapshot()).toEqual(before);
    expect((await t.api('/api/v1/health')).status).toBe(200);
  });
});
