// Adoption with proof of possession, the part both sides compute: a setup code printed on the
// device's label (80 random bits, 16 base32 characters), a proof that the device knows it, and the
// credentials sealed under a key only the code's holders can derive. node:crypto only: HKDF-SHA256,
// HMAC-SHA256, AES-256-GCM. An eavesdropper who records a whole adoption must guess 80 bits offline.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'; // RFC 4648 base32: no 0/1/8/9 to misread
export const SETUP_CODE_CHARS = 16; // 16 × 5 bits = 80 bits

/** A fresh setup code, grouped for a label: `ABCD-EFGH-IJKL-MNOP`. */
export function generateSetupCode(): string {
  const bytes = randomBytes(10); // exactly 80 bits
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = SETUP_CODE_CHARS - 1; i >= 0; i--) out += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return formatSetupCode(out);
}

export const formatSetupCode = (code: string): string => (code.match(/.{1,4}/g) ?? []).join('-');

/** The code as typed (any case, spaces or dashes) in canonical form, or null if it cannot be one. */
export function normalizeSetupCode(typed: string): string | null {
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  return code.length === SETUP_CODE_CHARS && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}

export const newNonce = (): string => randomBytes(16).toString('base64url');

const key = (code: string, salt: string, info: string) =>
  Buffer.from(hkdfSync('sha256', code, salt, info, 32));

/** What the device answers a hub's challenge with: HMAC over both nonces under a key from the code. */
export function adoptionProof(code: string, claimId: string, hubNonce: string, deviceNonce: string): string {
  return createHmac('sha256', key(code, claimId, 'hearth adoption proof v1'))
    .update(`${claimId}\n${hubNonce}\n${deviceNonce}`)
    .digest('base64url');
}

export function verifyAdoptionProof(
  code: string,
  claimId: string,
  hubNonce: string,
  deviceNonce: string,
  proof: string,
): boolean {
  const want = Buffer.from(adoptionProof(code, claimId, hubNonce, deviceNonce));
  const got = Buffer.from(proof);
  return got.length === want.length && timingSafeEqual(got, want);
}

export interface Sealed {
  iv: string;
  data: string;
  tag: string;
}

const sealKey = (code: string, claimId: string, hubNonce: string, deviceNonce: string) =>
  key(code, `${hubNonce}.${deviceNonce}`, `hearth adoption seal v1 ${claimId}`);

/** Seals `plaintext` for the device of `claimId` (AES-256-GCM, the claim id as associated data). */
export function sealForDevice(
  code: string,
  claimId: string,
  hubNonce: string,
  deviceNonce: string,
  plaintext: string,
): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(code, claimId, hubNonce, deviceNonce), iv);
  cipher.setAAD(Buffer.from(claimId));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    iv: iv.toString('base64url'),
    data: data.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
  };
}

/** Opens what sealForDevice sealed; null if the code, nonces, claim or bytes differ. */
export function openSealed(
  code: string,
  claimId: string,
  hubNonce: string,
  deviceNonce: string,
  sealed: Sealed,
): string | null {
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      sealKey(code, claimId, hubNonce, deviceNonce),
      Buffer.from(sealed.iv, 'base64url'),
    );
    decipher.setAAD(Buffer.from(claimId));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return null;
  }
}
