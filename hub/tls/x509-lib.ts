// The X.509 library, loaded only when the hub issues a certificate (first start, a new address):
// @peculiar/x509 on node's WebCrypto, with the reflect polyfill its dependency injection needs.
import 'reflect-metadata';

export { AsnConvert } from '@peculiar/asn1-schema';
export {
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  id_ce_nameConstraints,
  NameConstraints,
} from '@peculiar/asn1-x509';
export * as x509 from '@peculiar/x509';

/** ECDSA P-256 with SHA-256: small keys and signatures, supported by every phone and by OpenSSL. */
export const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export function generateKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

export function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return crypto.subtle.importKey('pkcs8', der, EC_ALGORITHM, false, ['sign']);
}
