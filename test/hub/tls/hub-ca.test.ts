// The hub CA and its leaf, judged by OpenSSL rather than by the library that made them: the name
// constraints are critical and hold, the leaf verifies for the hub's names and addresses, files
// are private, and the leaf is re-issued only when what it names changes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hubAddresses, hubDnsNames, isPermittedAddress } from '../../../hub/tls/addresses.js';
import { createCa, fingerprintHex } from '../../../hub/tls/ca.js';
import { createHubTls } from '../../../hub/tls/hub-tls.js';
import { issueLeaf } from '../../../hub/tls/leaf.js';
import { testContext } from '../../support/context.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'hearth-tls-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const openssl = (args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });
const write = (dir: string, name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('hub CA', () => {
  it('is a P-256 CA with critical basic constraints and critical name constraints', async () => {
    const ca = await createCa({ host: 'kitchen-pi' });
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], {
      input: ca.certPem,
      encoding: 'utf8',
    });
    expect(text).toMatch(/ASN1 OID: prime256v1/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Name Constraints: critical/);
    for (const line of ['DNS:.local', 'DNS:localhost', 'IP:10.0.0.0/255.0.0.0', 'IP:192.168.0.0/255.255.0.0'])
      expect(text).toContain(line);
    expect(text).toMatch(/IP:FD00:0:0:0:0:0:0:0\/FF00:0:0:0:0:0:0:0/);
    const sha = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], {
      input: ca.certPem,
      encoding: 'utf8',
    });
    expect(sha.trim()).toBe(`sha256 Fingerprint=${ca.fingerprint}`);
    expect(fingerprintHex(ca.fingerprint)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs a leaf OpenSSL accepts for the hub names and addresses, and one for another name it refuses', async () => {
    const dir = tempDir();
    const ca = await createCa({ host: 'kitchen-pi' });
    const caFile = write(dir, 'ca.crt', ca.certPem);
    const leaf = await issueLeaf(ca, { dns: ['kitchen-pi.local', 'localhost'], ips: ['10.77.0.1', '::1'] });
    const leafFile = write(dir, 'leaf.crt', leaf.certPem);
    for (const check of [
      ['-verify_hostname', 'kitchen-pi.local'],
      ['-verify_ip', '10.77.0.1'],
      ['-verify_ip', '::1'],
    ]) {
      const r = openssl(['verify', '-purpose', 'sslserver', ...check, '-CAfile', caFile, leafFile]);
      expect(r.stdout + r.stderr).toContain(': OK');
    }
    const wrongIp = openssl(['verify', '-verify_ip', '10.77.0.2', '-CAfile', caFile, leafFile]);
    expect(wrongIp.status).not.toBe(0);

    const outside = await issueLeaf(ca, { dns: ['bank.example.com'], ips: [] });
    const bad = openssl(['verify', '-CAfile', caFile, write(dir, 'bad.crt', outside.certPem)]);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/permitted subtree violation/);
    const publicIp = await issueLeaf(ca, { dns: ['kitchen-pi.local'], ips: ['8.8.8.8'] });
    const bad2 = openssl(['verify', '-CAfile', caFile, write(dir, 'bad2.crt', publicIp.certPem)]);
    expect(bad2.stdout + bad2.stderr).toMatch(/permitted subtree violation/);
  });
});

describe('addresses a hub certificate may name', () => {
  it('are the private, loopback and unique-local ranges only', () => {
    for (const a of [
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.10',
      '127.0.0.1',
      '::1',
      'fd12::1',
    ])
      expect(isPermittedAddress(a), a).toBe(true);
    for (const a of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:db8::1', 'fe80::1', '::2', 'not-an-ip'])
      expect(isPermittedAddress(a), a).toBe(false);
  });

  it('names the host under .local, and only the bound address when bound to one', () => {
    expect(hubDnsNames('Kitchen-Pi.example.net')).toEqual(['kitchen-pi.local', 'localhost']);
    expect(hubDnsNames('bad_name')).toEqual(['localhost']);
    expect(hubAddresses('10.77.0.1')).toEqual(['10.77.0.1', '127.0.0.1']);
    expect(hubAddresses('8.8.8.8')).toEqual(['127.0.0.1']);
    expect(hubAddresses('0.0.0.0')).toContain('127.0.0.1');
  });
});

describe('the TLS unit', () => {
  it('makes the CA once, keeps keys private, and re-issues the leaf only when its addresses change', async () => {
    const dataDir = tempDir();
    const ctx = testContext({ dataDir, bind: '127.0.0.1' });
    const first = createHubTls(ctx);
    await first.start();
    await first.stop();
    const tls = join(dataDir, 'tls');
    expect(statSync(tls).mode & 0o777).toBe(0o700);
    for (const key of ['ca.key', 'leaf.key', 'ticket-keys'])
      expect(statSync(join(tls, key)).mode & 0o777).toBe(0o600);
    const leaf1 = readFileSync(join(tls, 'leaf.crt'), 'utf8');

    const again = createHubTls(ctx);
    await again.start();
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.serverOptions().cert).toBe(leaf1);
    expect(again.serverOptions().ticketKeys).toEqual(first.serverOptions().ticketKeys);

    const renewed = new Promise<string>((resolve) => again.onRenewed((o) => resolve(String(o.cert))));
    ctx.config.bind = '127.0.0.2';
    await again.check();
    const leaf2 = await renewed;
    await again.stop();
    expect(leaf2).not.toBe(leaf1);
    const caFile = join(tls, 'ca.crt');
    const r = openssl(['verify', '-verify_ip', '127.0.0.2', '-CAfile', caFile, join(tls, 'leaf.crt')]);
    expect(r.stdout + r.stderr).toContain(': OK');
    ctx.store.close();
  });

  it('refuses to start with half a CA instead of silently making a new one', async () => {
    const dataDir = tempDir();
    const ctx = testContext({ dataDir, bind: '127.0.0.1' });
    const tls = createHubTls(ctx);
    await tls.start();
    await tls.stop();
    rmSync(join(dataDir, 'tls', 'ca.key'));
    await expect(createHubTls(ctx).start()).rejects.toThrow(/only half of the hub CA \(ca.key is missing\)/);
    ctx.store.close();
  });
});
