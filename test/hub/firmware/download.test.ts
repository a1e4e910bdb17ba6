// The firmware routes on a real hub: an upload is checked and stored once, and the download answers
// a device (its own credentials) with the whole file or the range it asks for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateReleaseKey, loadReleasePrivateKey } from '../../../shared/release-key.js';
import { encodeUpdateImage } from '../../../shared/update-image.js';
import { startTestHub, type TestHub } from '../../support/hub.js';

describe('firmware images over HTTP', () => {
  let t: TestHub;
  let device: { id: string; secret: string };
  const key = generateReleaseKey();
  const bytes = encodeUpdateImage({
    manifest: { model: 'tv', version: '1.5.0', behaviour: 'good', builtAt: 1 },
    codeSize: 100_000,
    privateKey: loadReleasePrivateKey(key.privatePem),
    publicKey: key.publicKey,
  });
  let id = '';
  const basic = (who: { id: string; secret: string }) =>
    `Basic ${Buffer.from(`${who.id}:${who.secret}`).toString('base64')}`;
  const upload = (body: Uint8Array<ArrayBuffer>) =>
    t.api('/api/v1/firmware/images', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });

  beforeAll(async () => {
    t = await startTestHub();
    const d = await t.connectDevice('tv');
    device = { id: d.id, secret: d.secret };
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('stores an upload once and refuses a damaged or conflicting one, changing nothing', async () => {
    const first = await upload(new Uint8Array(bytes));
    expect(first.status).toBe(201);
    id = ((await first.json()) as { id: string }).id;
    expect((await upload(new Uint8Array(bytes))).status).toBe(200);
    const damaged = Buffer.from(bytes);
    damaged[300] = (damaged[300] ?? 0) ^ 1;
    const refused = await upload(new Uint8Array(damaged));
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/sha256/);
    const other = encodeUpdateImage({
      manifest: { model: 'tv', version: '1.5.0', behaviour: 'good', builtAt: 2 },
      codeSize: 10,
      privateKey: loadReleasePrivateKey(key.privatePem),
      publicKey: key.publicKey,
    });
    expect((await upload(new Uint8Array(other))).status).toBe(409);
    const { images } = (await (await t.api('/api/v1/firmware/images')).json()) as { images: unknown[] };
    expect(images).toHaveLength(1);
  });

  it('serves a device the whole image, a range, and nothing to anyone else', async () => {
    const url = `/api/v1/firmware/images/${id}/download`;
    const whole = await t.api(url, { token: null, headers: { authorization: basic(device) } });
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await t.api(url, {
      token: null,
      headers: { authorization: basic(device), range: 'bytes=1000-' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-${bytes.length - 1}/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000))).toBe(true);
    const past = await t.api(url, {
      token: null,
      headers: { authorization: basic(device), range: `bytes=${bytes.length}-` },
    });
    expect(past.status).toBe(416);
    await past.arrayBuffer();
    for (const authorization of [
      undefined,
      basic({ ...device, secret: 'wrong-secret-of-length' }),
      `Bearer ${t.token}`,
    ]) {
      const res = await t.api(url, { token: null, headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      await res.arrayBuffer();
    }
    const metrics = await (await t.api('/metrics')).text();
    expect(metrics).toMatch(/hearth_firmware_range_requests_total 1/);
  });

  it('refuses rollouts that cannot be run, with a clear code', async () => {
    const none = await t.api('/api/v1/firmware/rollouts', {
      method: 'POST',
      json: { model: 'tv', version: '9.9.9' },
    });
    expect(none.status).toBe(404);
    const waves = await t.api('/api/v1/firmware/rollouts', {
      method: 'POST',
      json: { model: 'tv', version: '1.5.0', waves: [50, 20] },
    });
    expect(waves.status).toBe(422);
    const { rollouts } = (await (await t.api('/api/v1/firmware/rollouts')).json()) as { rollouts: unknown[] };
    expect(rollouts).toEqual([]);
  });
});
