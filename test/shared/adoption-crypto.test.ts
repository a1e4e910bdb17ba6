import { describe, expect, it } from 'vitest';
import {
  adoptionProof,
  generateSetupCode,
  newNonce,
  normalizeSetupCode,
  openSealed,
  sealForDevice,
  verifyAdoptionProof,
} from '../../shared/adoption-crypto.js';

describe('adoption crypto', () => {
  it('setup codes are 16 base32 characters in groups of 4, distinct, and normalize as typed', () => {
    const codes = new Set(Array.from({ length: 200 }, generateSetupCode));
    expect(codes.size).toBe(200);
    for (const c of codes) expect(c).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    const code = [...codes][0] as string;
    expect(normalizeSetupCode(` ${code.toLowerCase().replace(/-/g, ' ')} `)).toBe(code.replace(/-/g, ''));
    for (const bad of ['', 'ABCD-EFGH-IJKL', 'ABCD-EFGH-IJKL-MN0P', 'ABCD-EFGH-IJKL-MNOPQ'])
      expect(normalizeSetupCode(bad), bad).toBeNull();
  });

  it('the proof verifies only with the same code, claim and nonces', () => {
    const code = normalizeSetupCode(generateSetupCode()) as string;
    const other = normalizeSetupCode(generateSetupCode()) as string;
    const [h, d] = [newNonce(), newNonce()];
    const proof = adoptionProof(code, 'abcd1234', h, d);
    expect(verifyAdoptionProof(code, 'abcd1234', h, d, proof)).toBe(true);
    expect(verifyAdoptionProof(other, 'abcd1234', h, d, proof)).toBe(false);
    expect(verifyAdoptionProof(code, 'abcd1235', h, d, proof)).toBe(false);
    expect(verifyAdoptionProof(code, 'abcd1234', newNonce(), d, proof)).toBe(false);
    expect(verifyAdoptionProof(code, 'abcd1234', h, d, 'short')).toBe(false);
  });

  it('sealed credentials open only with the code and both nonces, and not after tampering', () => {
    const code = normalizeSetupCode(generateSetupCode()) as string;
    const [h, d] = [newNonce(), newNonce()];
    const creds = JSON.stringify({ deviceId: 'feeder-1', secret: 's3cret' });
    const sealed = sealForDevice(code, 'abcd1234', h, d, creds);
    expect(sealed.data).not.toContain('s3cret');
    expect(openSealed(code, 'abcd1234', h, d, sealed)).toBe(creds);
    expect(
      openSealed(normalizeSetupCode(generateSetupCode()) as string, 'abcd1234', h, d, sealed),
    ).toBeNull();
    expect(openSealed(code, 'abcd1234', h, newNonce(), sealed)).toBeNull();
    expect(openSealed(code, 'other123', h, d, sealed)).toBeNull();
    const flipped = Buffer.from(sealed.data, 'base64url');
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(openSealed(code, 'abcd1234', h, d, { ...sealed, data: flipped.toString('base64url') })).toBeNull();
  });
});
