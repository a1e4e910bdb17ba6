// The release signing key: an Ed25519 key pair made by `hearth firmware keygen`. Whoever holds the
// private key can publish firmware; devices carry only the public key (written into their image by
// `hearth flash`) and install nothing it did not sign. Raw public keys travel as base64url.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { HearthError } from './errors.js';

export const RELEASE_PUBLIC_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface ReleaseKeyPair {
  /** PKCS#8 PEM: keep it off the hub, mode 0600. */
  privatePem: string;
  /** SPKI PEM. */
  publicPem: string;
  /** The 32 raw public key bytes, base64url: what a device image carries. */
  publicKey: string;
  keyId: string;
}

export function generateReleaseKey(): ReleaseKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicKey: raw,
    keyId: releaseKeyId(raw),
  };
}

function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
    throw new HearthError('invalid_payload', 'not an Ed25519 key');
  return jwk.x;
}

/** A key from a PEM, refused unless it is Ed25519; `what` and `file` name it in the error. */
function ed25519Key(pem: string, read: (pem: string) => KeyObject, what: string, file: string): KeyObject {
  let key: KeyObject;
  try {
    key = read(pem);
  } catch {
    throw new HearthError('invalid_payload', `not a ${what} (expected ${file} from hearth firmware keygen)`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new HearthError('invalid_payload', `a ${key.asymmetricKeyType} key is not an Ed25519 release key`);
  return key;
}

/** Reads a private key PEM; refuses anything but Ed25519. */
export function loadReleasePrivateKey(pem: string): KeyObject {
  return ed25519Key(pem, createPrivateKey, 'private key', 'the PEM');
}

/** The raw base64url public key from a PEM public key (or from a private key's PEM). */
export function releasePublicKeyFromPem(pem: string): string {
  return rawPublicKey(ed25519Key(pem, createPublicKey, 'public key', 'release.pub'));
}

/** First 8 bytes of SHA-256 of the raw public key, hex: names a key without revealing anything. */
export function releaseKeyId(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64url')).digest('hex').slice(0, 16);
}

export function signWithReleaseKey(privateKey: KeyObject, data: Uint8Array): Buffer {
  return sign(null, data, privateKey);
}

/** True only for a valid Ed25519 signature of `data` by the raw public key. Never throws. */
export function verifyReleaseSignature(publicKey: string, data: Uint8Array, signature: Uint8Array): boolean {
  if (!RELEASE_PUBLIC_KEY_PATTERN.test(publicKey) || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}

/** What `--allow-downgrade` signs: this model may go back to this exact image. */
export function downgradeStatement(model: string, version: string, imageSha256: string): Buffer {
  return Buffer.from(`HEARTH-DOWNGRADE\0${model}\0${version}\0${imageSha256}`, 'utf8');
}
