// The phone on a real LAN address, as a phone reaches a Pi: the hub in one network namespace,
// Debian's Chromium in another. It pairs over plain HTTP, trusts the hub's CA (imported into a
// fresh NSS database with certutil, as a phone installs it), opens the HTTPS app — a secure
// context with a service worker and an installable manifest — keeps opening while the hub is
// down, and goes live again by itself. The CA's name constraints hold in Chromium.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeInfo } from '../../../hub/infra/runtime-file.js';
import { loadOrCreateCa } from '../../../hub/tls/ca.js';
import { issueLeaf } from '../../../hub/tls/leaf.js';
import { openTlsFiles } from '../../../hub/tls/tls-files.js';
import type { Phone } from '../../support/browser.js';
import { HEARTH_BIN as bin, type LanHub, type LanPhone, lanHub, lanPhone } from '../../support/lan-hub.js';
import { createLan, type Lan, netnsUnavailable } from '../../support/netns.js';
import { socketFetch } from '../../support/socket-fetch.js';

// The README's trust-step screenshot: refreshed with HEARTH_UPDATE_SCREENSHOTS=1, else a temp folder.
const shots = process.env.HEARTH_UPDATE_SCREENSHOTS
  ? join(import.meta.dirname, '../../../docs/screenshots')
  : mkdtempSync(join(tmpdir(), 'hearth-shots-'));
const why = netnsUnavailable();

describe('phone app on a LAN address over HTTPS with the hub CA (network namespaces)', () => {
  if (why) {
    it('cannot run here', () => {
      throw new Error(`not run: ${why}`);
    });
    return;
  }
  let lan: Lan;
  let hub: LanHub;
  let phone: LanPhone;
  const dir = mkdtempSync(join(tmpdir(), 'hearth-lan-trust-'));
  const dataDir = join(dir, 'hub');
  const socket = join(dir, 'hub-api.sock');
  let browser: Phone | undefined;
  let page: Page;
  let hubUrl: { http: string; https: string };

  const launchPhone = async () => {
    browser = await phone.launch();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  };

  beforeAll(async () => {
    lan = createLan();
    phone = lanPhone(lan, dir);
    hub = lanHub(lan, dataDir);
    await hub.start();
    // From the hub's own namespace over loopback, where the whole API answers on plain HTTP.
    await lan.forward(lan.hub, 8080, socket);
    hubUrl = hub.urls();
  }, 60_000);
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    lan?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pairs over plain HTTP, which offers only pairing and the CA, and shows the trust steps', async () => {
    const { token } = JSON.parse(
      execFileSync(
        process.execPath,
        [bin, 'tokens', 'create', '--name', 'setup', '--data-dir', dataDir, '--json'],
        {
          encoding: 'utf8',
        },
      ),
    ) as { token: string };
    const { code, url } = (await (
      await socketFetch(socket, '/api/v1/pairing-codes', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'admin' }),
      })
    ).json()) as { code: string; url: string };
    const fingerprint = readRuntimeInfo(dataDir)?.caFingerprint ?? '';
    expect(url).toContain(`#pair=${code}&ca=${fingerprint.replaceAll(':', '').toLowerCase()}`);
    await launchPhone();
    await page.goto(`${hubUrl.http}/#pair=${code}&ca=${fingerprint.replaceAll(':', '').toLowerCase()}`);
    await page.getByRole('heading', { name: /^Trust / }).waitFor();
    expect(await page.getByTestId('ca-fingerprint').textContent()).toBe(fingerprint);
    await page.screenshot({ path: join(shots, 'trust.png'), fullPage: true });
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    const plain = await page.evaluate(async () => {
      const r = await fetch('/api/v1/devices');
      return { status: r.status, body: await r.json() };
    });
    expect(plain.status).toBe(403);
    expect(plain.body.error.details.https).toBe(`${hubUrl.https}/`);
    expect(await page.getByRole('link', { name: 'Open Hearth securely' }).getAttribute('href')).toBe(
      `${hubUrl.https}/`,
    );
    // The phone downloads the CA from the page's link, as a person would.
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, await page.evaluate(async () => (await fetch('/ca.crt')).text()));
    await browser?.close();
    browser = undefined;
    phone.trust(caFile);
  }, 60_000);

  it('opens the HTTPS app once the CA is trusted: secure context, service worker active, manifest installable', async () => {
    await launchPhone();
    await page.goto(`${hubUrl.https}/`);
    await page.locator('.live.live').waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    const sw = await page.evaluate(async () => {
      const worker = (await navigator.serviceWorker.ready).active;
      if (worker && worker.state !== 'activated')
        await new Promise((resolve) => worker.addEventListener('statechange', resolve));
      return worker?.state;
    });
    expect(sw).toBe('activated');
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector('link[rel=manifest]') as HTMLLinkElement;
      return (await fetch(link.href)).json();
    });
    expect(manifest).toMatchObject({ display: 'standalone', start_url: '/#/' });
    expect(manifest.icons.some((i: { sizes: string }) => i.sizes === '512x512')).toBe(true);
  }, 60_000);

  it('with the hub stopped a reload still opens the app and says the hub is unreachable; it goes live by itself', async () => {
    await hub.stop();
    await page.reload();
    await page.getByText('Can’t reach the hub right now').waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    await hub.start();
    await page.locator('.live.live').waitFor({ timeout: 45_000 });
  }, 90_000);

  it('refuses a certificate the hub CA signed for a name outside its constraints (ERR_CERT_INVALID)', async () => {
    const { ca } = await loadOrCreateCa(openTlsFiles(dataDir));
    const rogue = await issueLeaf(ca, { dns: ['bank.example.com'], ips: [lan.hub.address] });
    writeFileSync(join(dir, 'rogue.key'), rogue.keyPem);
    writeFileSync(join(dir, 'rogue.crt'), rogue.certPem);
    const server = lan.spawn(lan.hub, process.execPath, [
      '-e',
      `const fs = require('fs'); require('https').createServer({ key: fs.readFileSync(${JSON.stringify(join(dir, 'rogue.key'))}), cert: fs.readFileSync(${JSON.stringify(join(dir, 'rogue.crt'))}) }, (q, r) => r.end('rogue')).listen(9443, () => console.log('listening'))`,
    ]);
    await new Promise<void>((resolve) => server.stdout?.once('data', () => resolve()));
    await expect(page.goto(`https://${lan.hub.address}:9443/`)).rejects.toThrow(/ERR_CERT_INVALID/);
    server.kill();
  }, 30_000);
});
