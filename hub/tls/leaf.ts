// The hub's server certificate: signed by the hub CA for the hub's names and current addresses,
// re-issued when those change, when it nears its end, or when the CA is not the one that signed it.
import { randomBytes, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { HubCa } from './ca.js';
import { TLS_FILES, type TlsFiles } from './tls-files.js';

export const LeafNamesSchema = z.object({ dns: z.array(z.string()), ips: z.array(z.string()) });
export type LeafNames = z.infer<typeof LeafNamesSchema>;

export interface HubLeaf {
  certPem: string;
  keyPem: string;
  names: LeafNames;
}

/** Under Apple's 398-day ceiling for server certificates; re-issued a month before the end. */
export const LEAF_VALIDITY_DAYS = 397;
export const LEAF_RENEW_BEFORE_MS = 30 * 86_400_000;

const sameNames = (a: LeafNames, b: LeafNames) =>
  JSON.stringify([[...a.dns].sort(), [...a.ips].sort()]) ===
  JSON.stringify([[...b.dns].sort(), [...b.ips].sort()]);

export async function issueLeaf(ca: HubCa, names: LeafNames, now: Date = new Date()): Promise<HubLeaf> {
  const { x509, generateKeys, importPrivateKey, privateKeyPem, EC_ALGORITHM } = await import('./x509-lib.js');
  const caCert = new x509.X509Certificate(ca.certPem);
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '7'),
    // A CN with spaces is never read as a host name (verifiers that fall back to the CN would
    // check it against the CA's name constraints).
    subject: [{ CN: [`Hearth hub ${names.dns[0] ?? 'server'}`] }, { O: ['Hearth'] }],
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + LEAF_VALIDITY_DAYS * 86_400_000),
    publicKey: keys.publicKey,
    signingKey: await importPrivateKey(ca.keyPem),
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: await privateKeyPem(keys.privateKey), names };
}

/** Why the stored leaf cannot serve `wanted` any more, or null when it still can. */
export function leafProblem(
  leaf: HubLeaf,
  ca: HubCa,
  wanted: LeafNames,
  now: Date = new Date(),
): string | null {
  const cert = new X509Certificate(leaf.certPem);
  const caCert = new X509Certificate(ca.certPem);
  if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) return 'not signed by this hub CA';
  if (Date.parse(cert.validTo) - now.getTime() < LEAF_RENEW_BEFORE_MS) return 'expires soon';
  if (Date.parse(cert.validFrom) > now.getTime()) return 'not valid yet (the clock went back)';
  if (!sameNames(leaf.names, wanted)) return 'the names or addresses changed';
  return null;
}

export function readLeaf(files: TlsFiles): HubLeaf | null {
  const certPem = files.readText(TLS_FILES.leafCert);
  const keyPem = files.readText(TLS_FILES.leafKey);
  const namesText = files.readText(TLS_FILES.leafNames);
  if (!certPem || !keyPem || !namesText) return null;
  try {
    return { certPem, keyPem, names: LeafNamesSchema.parse(JSON.parse(namesText)) };
  } catch {
    return null;
  }
}

export function writeLeaf(files: TlsFiles, leaf: HubLeaf): void {
  files.write(TLS_FILES.leafKey, leaf.keyPem, true);
  files.write(TLS_FILES.leafCert, leaf.certPem);
  files.write(TLS_FILES.leafNames, `${JSON.stringify(leaf.names)}\n`);
}
