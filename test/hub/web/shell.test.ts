// The page the hub sends is the first screen itself, by the request's session: the pairing screen
// for a phone without one, the app's frame with the device list's title for a paired one. Its
// inline style and script are exactly what its CSP allows, and the app's modules it names are
// served compressed and for good; an unknown module name is a clear 404.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../support/hub.js';

describe('the page the hub sends', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  }, 30_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  const page = async (cookie?: string) => {
    const res = await fetch(`${t.baseUrl}/`, { headers: cookie ? { cookie } : {} });
    return { res, html: await res.text() };
  };

  it('is the pairing screen without a session, and the device list with one', async () => {
    const name = t.hub.context.config.hubName;
    const stranger = await page();
    expect(stranger.html).toContain(`<h1>Pair with ${name}</h1>`);
    expect(stranger.html).toContain('Enter the pairing code the hub shows');
    expect(stranger.html).not.toContain('<h1>Devices</h1>');
    const revoked = await page('hearth_token=nope.nope');
    expect(revoked.html).toContain(`<h1>Pair with ${name}</h1>`);

    const paired = await page(`hearth_token=${t.token}`);
    expect(paired.html).toContain('<h1>Devices</h1>');
    expect(paired.html).toContain('Loading devices…');
    expect(paired.html).not.toContain('Pair with');
    // Which page depends on the cookie: no cache may give one phone's to another.
    expect(paired.res.headers.get('vary')).toMatch(/Cookie/);
    expect(paired.res.headers.get('etag')).not.toBe(stranger.res.headers.get('etag'));
  });

  it('allows exactly its own inline style and script, and names modules that are served for good', async () => {
    const { res, html } = await page(`hearth_token=${t.token}`);
    const csp = res.headers.get('content-security-policy') ?? '';
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(style.length).toBeGreaterThan(100);
    expect(csp).toContain(`style-src 'self' ${hash(style)}`);
    expect(csp).toContain(`script-src 'self' ${hash(script)}`);

    const entry = /data-entry="([^"]+)"/.exec(html)?.[1] ?? '';
    const preload = (/data-preload="([^"]*)"/.exec(html)?.[1] ?? '').split(' ').filter(Boolean);
    for (const path of [entry, ...preload]) {
      const mod = await fetch(`${t.baseUrl}${path}`, { headers: { 'accept-encoding': 'br' } });
      expect(mod.status, path).toBe(200);
      expect(mod.headers.get('content-encoding')).toBe('br');
      expect(mod.headers.get('cache-control')).toMatch(/immutable/);
      expect(mod.headers.get('content-type')).toMatch(/javascript/);
    }
    const unknown = await fetch(`${t.baseUrl}/assets/main-NOPE.js`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const odd = await fetch(`${t.baseUrl}/assets/..%2Fassets.json`);
    expect(odd.status).toBe(404);
  });

  it('gives the service worker the names of every module to keep', async () => {
    const sw = await (await fetch(`${t.baseUrl}/sw.js`)).text();
    const { html } = await page(`hearth_token=${t.token}`);
    const entry = /data-entry="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(sw).toContain(JSON.stringify(entry).slice(0, -1));
    expect(sw).not.toContain('const ASSETS = [];');
  });
});
