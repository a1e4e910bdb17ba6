// Issues the hub's X.509 v3 certificates (its CA and its server leaf) with node:crypto alone:
// ECDSA P-256 keys, signed with SHA-256. Built field by field in DER, so issuing one needs no
// X.509 library in memory (the one used before kept ~10 MB resident for the process's life).
import { createHash, type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';
import { addressBytes } from './addresses.js';
import {
  bitString,
  bool,
  children,
  directoryString,
  namedBits,
  octets,
  oid,
  seq,
  set,
  tagged,
  time,
  tlv,
  uint,
} from './der.js';

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

/** One extension: its OID, whether a verifier must understand it, and its DER value. */
export interface Extension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

export interface CertificateFields {
  /** Distinguished name as attribute pairs in order (`[['2.5.4.3', 'name'], …]`), or DER to copy. */
  subject: Array<[string, string]>;
  issuer: Array<[string, string]> | Buffer;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  signingKey: KeyObject;
  extensions: Extension[];
}

export const CN = '2.5.4.3';
export const O = '2.5.4.10';

const name = (attrs: Array<[string, string]>) =>
  seq(...attrs.map(([type, value]) => set(seq(oid(type), directoryString(value)))));

/** The signed certificate, PEM (no trailing newline). */
export function issueCertificate(fields: CertificateFields): string {
  // 16 random bytes, the top bit clear (positive) and the next set (no leading zero to trim).
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const tbs = seq(
    tagged(0, uint(Buffer.from([2]))), // v3
    uint(serial),
    ECDSA_WITH_SHA256,
    Buffer.isBuffer(fields.issuer) ? fields.issuer : name(fields.issuer),
    seq(time(fields.notBefore), time(fields.notAfter)),
    name(fields.subject),
    fields.publicKey.export({ type: 'spki', format: 'der' }),
    tagged(
      3,
      seq(
        ...fields.extensions.map((e) =>
          seq(oid(e.oid), ...(e.critical ? [bool(true)] : []), octets(e.value)),
        ),
      ),
    ),
  );
  const der = seq(tbs, ECDSA_WITH_SHA256, bitString(sign('sha256', tbs, fields.signingKey)));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----`;
}

/** SHA-1 of the subject public key's bits (RFC 5280 4.2.1.2, method 1): the key identifier. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const [, bits] = children(
    children(publicKey.export({ type: 'spki', format: 'der' }))[0]?.content ?? Buffer.alloc(0),
  );
  return createHash('sha1')
    .update(bits?.content.subarray(1) ?? Buffer.alloc(0))
    .digest();
}

/** A certificate's subject, as DER, to name it as the issuer of another. */
export function subjectDer(certPem: string): Buffer {
  const [cert] = children(new X509Certificate(certPem).raw);
  const [tbsElement] = children(cert?.content ?? Buffer.alloc(0));
  const tbs = children(tbsElement?.content ?? Buffer.alloc(0));
  const subject = tbs[tbs[0]?.tag === 0xa0 ? 5 : 4];
  if (!subject) throw new Error('not an X.509 certificate');
  return subject.raw;
}

const KEY_USAGE_BITS = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** The extensions the hub's certificates carry. */
export const extensions = {
  basicConstraints: (ca: boolean): Extension => ({
    oid: '2.5.29.19',
    critical: true,
    value: ca ? seq(bool(true), uint(Buffer.from([0]))) : seq(),
  }),
  keyUsage: (usages: Array<keyof typeof KEY_USAGE_BITS>): Extension => ({
    oid: '2.5.29.15',
    critical: true,
    value: namedBits(usages.map((u) => KEY_USAGE_BITS[u])),
  }),
  serverAuth: (): Extension => ({ oid: '2.5.29.37', critical: false, value: seq(oid('1.3.6.1.5.5.7.3.1')) }),
  subjectAltNames: (dns: string[], ips: string[]): Extension => ({
    oid: '2.5.29.17',
    critical: false,
    value: seq(...dns.map(dnsName), ...ips.map((ip) => tlv(0x87, addressBytes(ip)))),
  }),
  /** Permitted subtrees only: DNS suffixes and `address/prefix` ranges. */
  nameConstraints: (dns: readonly string[], ranges: readonly string[]): Extension => ({
    oid: '2.5.29.30',
    critical: true,
    value: seq(
      tagged(0, Buffer.concat([...dns.map(dnsName), ...ranges.map(ipRange)].map((base) => seq(base)))),
    ),
  }),
  subjectKeyId: (key: KeyObject): Extension => ({
    oid: '2.5.29.14',
    critical: false,
    value: octets(keyIdentifier(key)),
  }),
  authorityKeyId: (caKey: KeyObject): Extension => ({
    oid: '2.5.29.35',
    critical: false,
    value: seq(tagged(0, keyIdentifier(caKey), false)),
  }),
};

const dnsName = (value: string) => tlv(0x82, Buffer.from(value, 'ascii'));

/** `10.0.0.0/8` as a GeneralName iPAddress: the address, then the mask. */
function ipRange(range: string): Buffer {
  const [base = '', prefix = '0'] = range.split('/');
  const address = addressBytes(base);
  const mask = Buffer.alloc(address.length);
  for (let bit = 0; bit < Number(prefix); bit++) mask[bit >> 3] = (mask[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  return tlv(0x87, Buffer.concat([address, mask]));
}
