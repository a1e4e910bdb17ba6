// Certificates are made in a worker thread, so the X.509 library never loads into the hub's own
// heap. Run against the compiled hub (the worker is a compiled file) in a child process, which
// then shows whether the library's global polyfill (reflect-metadata) came into its main thread.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const compiled = pathToFileURL(join(import.meta.dirname, '../../../dist/hub/tls/issue-off-thread.js')).href;

describe('certificates made off the hub’s thread', () => {
  it('are a CA and a leaf it signed, and the X.509 library stayed out of the main thread', () => {
    const script = `
      const { issueOffThread } = await import(${JSON.stringify(compiled)});
      const ca = await issueOffThread({ kind: 'ca', host: 'kitchen-pi', now: Date.now() });
      const leaf = await issueOffThread({ kind: 'leaf', ca, names: { dns: ['kitchen-pi.local'], ips: ['10.77.0.1'] }, now: Date.now() });
      console.log(JSON.stringify({ ca, leaf, libraryHere: typeof Reflect.getMetadata }));`;
    const out = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    ) as {
      ca: { certPem: string; fingerprint: string };
      leaf: { certPem: string; names: { dns: string[] } };
      libraryHere: string;
    };
    const ca = new X509Certificate(out.ca.certPem);
    expect(ca.ca).toBe(true);
    expect(ca.fingerprint256).toBe(out.ca.fingerprint);
    const leaf = new X509Certificate(out.leaf.certPem);
    expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:kitchen-pi.local, IP Address:10.77.0.1');
    expect(out.libraryHere).toBe('undefined');
  });

  it('passes on why the certificate could not be made (a CA that is not one)', () => {
    const script = `
      const { issueOffThread } = await import(${JSON.stringify(compiled)});
      try { await issueOffThread({ kind: 'leaf', ca: { certPem: 'not a certificate', keyPem: '', fingerprint: '' }, names: { dns: [], ips: [] }, now: Date.now() }); console.log('made'); }
      catch (err) { console.log('refused: ' + err.message); }`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    // The library's own words reach the caller (the hub logs them and keeps its current leaf).
    expect(out.trim()).toMatch(/^refused: Unsupported format .*PEM/);
  });
});
