// The hub's own certificate authority: made once at first start, ECDSA P-256, and name-constrained
// (critical) to `.local` names and private addresses, so a phone that trusts it cannot be attacked
// with it for any other site. Its SHA-256 fingerprint is what the owner compares on the phone.
import { randomBytes, X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { PERMITTED_DNS, PERMITTED_IP_RANGES } from './addresses.js';
import { TLS_FILES, type TlsFiles } from './tls-files.js';

export interface HubCa {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, upper-case hex pairs joined by colons (as phones show it). */
  fingerprint: string;
}

/** How long the CA lasts: a phone trusts it once; re-trusting every few years is a chore nobody does. */
export const CA_VALIDITY_DAYS = 20 * 365;

export function caFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** The fingerprint as 64 lower-case hex digits, the form carried in URLs and mDNS. */
export function fingerprintHex(fingerprint: string): string {
  return fingerprint.replaceAll(':', '').toLowerCase();
}

export async function createCa(options: { host?: string; now?: Date } = {}): Promise<HubCa> {
  const { x509, AsnConvert, generateKeys, privateKeyPem, EC_ALGORITHM, ...asn } = await import(
    './x509-lib.js'
  );
  const now = options.now ?? new Date();
  const keys = await generateKeys();
  const subtree = (base: InstanceType<typeof asn.GeneralName>) => new asn.GeneralSubtree({ base });
  const constraints = new asn.NameConstraints({
    permittedSubtrees: new asn.GeneralSubtrees([
      ...PERMITTED_DNS.map((dNSName) => subtree(new asn.GeneralName({ dNSName }))),
      ...PERMITTED_IP_RANGES.map((iPAddress) => subtree(new asn.GeneralName({ iPAddress }))),
    ]),
  });
  const label = (options.host ?? hostname()).split('.')[0] || 'hub';
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16)
      .toString('hex')
      .replace(/^[89a-f]/, '7'),
    // The serial in the name too: two hubs in one home must not share a subject.
    name: [{ CN: [`Hearth hub CA ${label} ${randomBytes(4).toString('hex')}`] }, { O: ['Hearth'] }],
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * 86_400_000),
    keys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.Extension(asn.id_ce_nameConstraints, true, AsnConvert.serialize(constraints)),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = `${cert.toString('pem')}\n`;
  return { certPem, keyPem: await privateKeyPem(keys.privateKey), fingerprint: caFingerprint(certPem) };
}

/**
 * The CA in <data-dir>/tls/, made (by `make`) when there is none. A key without its certificate is
 * refused.
 */
export async function loadOrCreateCa(
  files: TlsFiles,
  make: () => Promise<HubCa> = createCa,
): Promise<{ ca: HubCa; created: boolean }> {
  const certPem = files.readText(TLS_FILES.caCert);
  const keyPem = files.readText(TLS_FILES.caKey);
  if (certPem && keyPem)
    return { ca: { certPem, keyPem, fingerprint: caFingerprint(certPem) }, created: false };
  if (certPem || keyPem)
    throw new Error(
      `${files.dir} holds only half of the hub CA (${certPem ? TLS_FILES.caKey : TLS_FILES.caCert} is missing); restore it from a backup, or remove ${TLS_FILES.caCert} and ${TLS_FILES.caKey} to make a new CA (every phone and device must then trust it again)`,
    );
  const ca = await make();
  files.write(TLS_FILES.caKey, ca.keyPem, true);
  files.write(TLS_FILES.caCert, ca.certPem);
  return { ca, created: true };
}
