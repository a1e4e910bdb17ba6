import { describe, expect, it } from 'vitest';
import { checkImage, checkOffer } from '../../devices/runtime/ota-verify.js';
import type { OtaOffer } from '../../shared/payloads.js';
import {
  downgradeStatement,
  generateReleaseKey,
  loadReleasePrivateKey,
  signWithReleaseKey,
} from '../../shared/release-key.js';
import {
  compareVersions,
  decodeUpdateImage,
  encodeUpdateImage,
  UPDATE_HEADER_BYTES,
  verifyUpdateImage,
} from '../../shared/update-image.js';

const key = generateReleaseKey();
const other = generateReleaseKey();
const build = (version: string, signer = key, model = 'feeder') =>
  encodeUpdateImage({
    manifest: { model, version, behaviour: 'good', builtAt: 1 },
    codeSize: 4096,
    privateKey: loadReleasePrivateKey(signer.privatePem),
    publicKey: signer.publicKey,
  });
const offerFor = (bytes: Buffer, extra: Partial<OtaOffer> = {}): OtaOffer => {
  const image = decodeUpdateImage(bytes);
  return {
    rollout: 'r-1',
    model: image.model,
    version: image.version,
    path: '/api/v1/firmware/images/x/download',
    httpPort: 8080,
    sha256: image.sha256,
    size: image.size,
    signature: image.signature,
    ...extra,
  };
};
const running = { model: 'feeder', version: '1.0.0', releaseKey: key.publicKey };

describe('signed update images', () => {
  it('round-trips and verifies with the release key', () => {
    const bytes = build('1.1.0');
    const image = verifyUpdateImage(bytes, key.publicKey);
    expect(image).toMatchObject({ model: 'feeder', version: '1.1.0', size: bytes.length });
    expect(image.manifest.behaviour).toBe('good');
    expect(checkImage(bytes, offerFor(bytes), running).version).toBe('1.1.0');
  });

  it('refuses an image signed by another key', () => {
    const bytes = build('1.1.0', other);
    expect(() => verifyUpdateImage(bytes, key.publicKey)).toThrow(/not by this device's release key/);
    expect(() => checkImage(bytes, offerFor(bytes), running)).toThrow(/release key/);
  });

  it('refuses a forged signature under the right key id', () => {
    const bytes = build('1.1.0');
    const forged = Buffer.from(bytes);
    forged[forged.length - 40] = (forged[forged.length - 40] ?? 0) ^ 0xff; // inside the signature
    expect(() => verifyUpdateImage(forged, key.publicKey)).toThrow(/does not verify/);
  });

  it('refuses a tampered payload and a tampered header', () => {
    const bytes = build('1.1.0');
    const payload = Buffer.from(bytes);
    payload[UPDATE_HEADER_BYTES + 200] = (payload[UPDATE_HEADER_BYTES + 200] ?? 0) ^ 1;
    expect(() => verifyUpdateImage(payload, key.publicKey)).toThrow(/sha256/);
    // A re-hashed payload still fails: the signature covers the header, which holds the hash.
    const header = Buffer.from(bytes);
    header.write('9.9.9\0', 48, 'ascii');
    expect(() => verifyUpdateImage(header, key.publicKey)).toThrow(/manifest|signature/);
    expect(() => checkImage(payload, offerFor(bytes), running)).toThrow(/sha256/);
  });

  it('refuses truncated and foreign files', () => {
    const bytes = build('1.1.0');
    expect(() => decodeUpdateImage(bytes.subarray(0, bytes.length - 1))).toThrow(/expected/);
    expect(() => decodeUpdateImage(Buffer.from('HEARTHFW not an update'))).toThrow(/magic/);
  });

  it('a device refuses another model, the running version, and no release key', () => {
    const tv = build('1.1.0', key, 'tv');
    expect(() => checkOffer(offerFor(tv), running)).toThrow(/this is a feeder/);
    expect(() => checkImage(tv, offerFor(tv, { model: 'feeder' }), running)).toThrow(/for tv/);
    const same = build('1.0.0');
    expect(() => checkOffer(offerFor(same), running)).toThrow(/already running/);
    expect(() => checkOffer(offerFor(build('1.1.0')), { ...running, releaseKey: undefined })).toThrow(
      /no release key/,
    );
  });

  it('refuses a downgrade unless the release key signed the permission for that image', () => {
    const old = build('0.9.0');
    const offer = offerFor(old);
    expect(() => checkOffer(offer, running)).toThrow(/older/);
    const statement = downgradeStatement('feeder', '0.9.0', offer.sha256);
    const byOther = signWithReleaseKey(loadReleasePrivateKey(other.privatePem), statement).toString(
      'base64url',
    );
    expect(() => checkOffer({ ...offer, allowDowngrade: byOther }, running)).toThrow(/not signed/);
    const signed = signWithReleaseKey(loadReleasePrivateKey(key.privatePem), statement).toString('base64url');
    expect(checkImage(old, { ...offer, allowDowngrade: signed }, running).version).toBe('0.9.0');
    // The permission names one image: it does not carry over to another build of that version.
    const rebuilt = offerFor(build('0.9.0'));
    expect(() => checkOffer({ ...rebuilt, sha256: 'f'.repeat(64), allowDowngrade: signed }, running)).toThrow(
      /not signed/,
    );
  });

  it('orders versions numerically', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBe(1);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('1.0', '1.0.1')).toBe(-1);
  });
});
