import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage, IMAGE_HEADER_BYTES, type ImageBody } from '../../shared/firmware-image.js';

const body: ImageBody = {
  identity: { model: 'tv', name: 'Living room TV', deviceId: 'tv-1' },
  credentials: { secret: 'x'.repeat(43) },
  hub: { addresses: ['mqtt://127.0.0.1:1883'], mdnsName: 'hearth' },
  createdAt: 1_700_000_000_000,
};

describe('firmware image format', () => {
  it('round-trips a registered image', () => {
    const bytes = encodeImage({ firmware: '1.0.0', body });
    const image = decodeImage(bytes);
    expect(image.body).toEqual(body);
    expect(image.header).toMatchObject({ formatVersion: 1, factory: false, firmware: '1.0.0', model: 'tv' });
    expect(image.header.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips a factory image (no credentials, a claim id)', () => {
    const factory: ImageBody = {
      ...body,
      identity: { model: 'feeder', name: 'Feeder', claimId: 'abcdefgh1234' },
      credentials: null,
    };
    const image = decodeImage(encodeImage({ firmware: '1.0.0', body: factory }));
    expect(image.header.factory).toBe(true);
    expect(image.body.credentials).toBeNull();
  });

  it('refuses to write an inconsistent body', () => {
    expect(() => encodeImage({ firmware: '1.0.0', body: { ...body, credentials: null } })).toThrow(
      /factory image/,
    );
    expect(() => encodeImage({ firmware: 'not a version!', body })).toThrow(/firmware version/);
  });

  const good = () => Buffer.from(encodeImage({ firmware: '1.0.0', body }));

  it.each([
    ['empty file', () => Buffer.alloc(0), /not a Hearth firmware image/],
    [
      'wrong magic',
      () => Buffer.from('PK\x03\x04 a zip file, not an image at all'),
      /not a Hearth firmware image/,
    ],
    [
      'truncated header',
      () => good().subarray(0, 40),
      /truncated: the header needs 128 bytes, the file has 40/,
    ],
    ['truncated body', () => good().subarray(0, good().length - 10), /truncated: expected \d+ bytes/],
    [
      'trailing bytes',
      () => Buffer.concat([good(), Buffer.from('junk')]),
      /4 unexpected bytes after the body/,
    ],
    [
      'flipped body byte',
      () => {
        const b = good();
        b[IMAGE_HEADER_BYTES + 5] = (b[IMAGE_HEADER_BYTES + 5] as number) ^ 0xff;
        return b;
      },
      /corrupt: the body does not match its sha256/,
    ],
    [
      'wrong format version',
      () => {
        const b = good();
        b.writeUInt16BE(2, 8);
        return b;
      },
      /format version 2 is not supported \(this build reads version 1\)/,
    ],
    [
      'header model differs from body',
      () => {
        const b = good();
        b.write('light\0\0', 64, 'ascii');
        return b;
      },
      /header says model "light" but the body says "tv"/,
    ],
    [
      'absurd body length',
      () => {
        const b = good();
        b.writeUInt32BE(0xffffffff, 12);
        return b;
      },
      /the limit is 64 KiB/,
    ],
  ])('refuses an image with %s, saying why', (_name, make, message) => {
    expect(() => decodeImage(make())).toThrow(message);
    try {
      decodeImage(make());
    } catch (err) {
      expect((err as { code: string }).code).toBe('invalid_payload');
      expect((err as Error).message).toMatch(/^firmware image refused: /);
    }
  });
});
