// Secrets the hub generates (device secrets, API tokens, pairing codes' tokens). They are 32 random
// bytes, so a salted SHA-256 compared in constant time is as safe as a slow hash and costs
// microseconds (measured: scrypt per connect took a 1000-device surge to 19 s).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** `salt:sha256(salt + secret)`, both base64url. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16).toString('base64url');
  return `${salt}:${digest(salt, secret)}`;
}

export function verifySecret(secret: string, stored: string): boolean {
  const [salt, expected] = stored.split(':');
  if (!salt || !expected) return false;
  const actual = Buffer.from(digest(salt, secret));
  const wanted = Buffer.from(expected);
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
}

function digest(salt: string, secret: string): string {
  return createHash('sha256').update(salt).update(secret).digest('base64url');
}
