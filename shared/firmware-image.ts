// The firmware image format (devices/IMAGE-FORMAT.md): a fixed 128-byte binary header followed by
// a UTF-8 JSON body. The flash tool writes it, the device runtime boots it, and the hub may read it
// (factory images, OTA), so it lives in shared/. Every way an image can be wrong is refused with a
// message that says which way.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HearthError } from './errors.js';
import { DeviceIdSchema, DeviceInfoSchema, HubCaPemSchema } from './payloads.js';
import { RELEASE_PUBLIC_KEY_PATTERN } from './release-key.js';
import { CLAIM_ID_PATTERN } from './topics.js';

export const IMAGE_MAGIC = 'HEARTHFW';
export const IMAGE_FORMAT_VERSION = 1;
export const IMAGE_HEADER_BYTES = 128;
/** Bodies are small (credentials and addresses); anything bigger is not an image of ours. */
export const IMAGE_MAX_BODY_BYTES = 64 * 1024;
export const IMAGE_FLAG_FACTORY = 1;

const ModelSchema = DeviceInfoSchema.shape.model;
const FirmwareVersionSchema = z
  .string()
  .regex(/^[0-9A-Za-z.+-]{1,16}$/, 'firmware versions are 1-16 of 0-9 A-Z . + -');
const HubAddressSchema = z
  .string()
  .max(300)
  .regex(/^mqtts?:\/\/[^/\s]+:\d{1,5}$/, 'hub addresses look like mqtt://HOST:PORT');

export const ImageBodySchema = z
  .strictObject({
    identity: z.strictObject({
      model: ModelSchema,
      name: z.string().min(1).max(64),
      /** Set for registered devices; factory images have a claim id instead. */
      deviceId: DeviceIdSchema.optional(),
      claimId: z.string().regex(CLAIM_ID_PATTERN).optional(),
      /** Factory images: the setup code on the label (canonical, 16 base32 characters). */
      setupCode: z
        .string()
        .regex(/^[A-Z2-7]{16}$/)
        .optional(),
    }),
    /** null in a factory image: the device is adopted later and receives them over provisioning. */
    credentials: z.strictObject({ secret: z.string().min(16).max(128) }).nullable(),
    hub: z.strictObject({
      /** Last known broker addresses, tried in order before mDNS. */
      addresses: z.array(HubAddressSchema).max(8),
      /** The hub's mDNS instance name (never resolved through DNS). */
      mdnsName: z.string().min(1).max(63).optional(),
      /**
       * The hub's CA (PEM). With it the device connects only over MQTT over TLS and refuses a hub
       * whose certificate does not verify against it (by name or address).
       */
      ca: HubCaPemSchema.optional(),
    }),
    /**
     * The release public key (raw Ed25519, base64url) that signs this device's updates. A device
     * flashed without one refuses every update.
     */
    release: z.strictObject({ publicKey: z.string().regex(RELEASE_PUBLIC_KEY_PATTERN) }).optional(),
    createdAt: z.number().int().nonnegative(),
  })
  .refine((b) => (b.credentials === null) === (b.identity.deviceId === undefined), {
    message: 'a registered image has both a device id and credentials; a factory image has neither',
  })
  .refine((b) => b.credentials !== null || b.identity.claimId !== undefined, {
    message: 'a factory image needs a claim id',
  });
export type ImageBody = z.infer<typeof ImageBodySchema>;

export interface ImageHeader {
  formatVersion: number;
  factory: boolean;
  bodyBytes: number;
  sha256: string;
  firmware: string;
  model: string;
}

export interface FirmwareImage {
  header: ImageHeader;
  body: ImageBody;
}

function imageError(message: string): HearthError {
  return new HearthError('invalid_payload', `firmware image refused: ${message}`);
}

function writeAscii(buf: Buffer, offset: number, width: number, text: string): void {
  if (Buffer.byteLength(text, 'ascii') > width) throw imageError(`"${text}" does not fit in ${width} bytes`);
  buf.write(text, offset, width, 'ascii');
}

function readAscii(buf: Buffer, offset: number, width: number): string {
  const raw = buf.subarray(offset, offset + width);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? width : end).toString('ascii');
}

/** Builds an image file's bytes. The body is validated first: we never write an image we would refuse. */
export function encodeImage(input: { firmware: string; body: ImageBody }): Buffer {
  const body = ImageBodySchema.safeParse(input.body);
  if (!body.success) throw imageError(body.error.issues.map((i) => i.message).join('; '));
  if (!FirmwareVersionSchema.safeParse(input.firmware).success)
    throw imageError(`bad firmware version ${JSON.stringify(input.firmware)}`);
  const bodyBytes = Buffer.from(JSON.stringify(body.data), 'utf8');
  if (bodyBytes.length > IMAGE_MAX_BODY_BYTES) throw imageError('body is larger than 64 KiB');
  const header = Buffer.alloc(IMAGE_HEADER_BYTES);
  header.write(IMAGE_MAGIC, 0, 8, 'ascii');
  header.writeUInt16BE(IMAGE_FORMAT_VERSION, 8);
  header.writeUInt16BE(body.data.credentials === null ? IMAGE_FLAG_FACTORY : 0, 10);
  header.writeUInt32BE(bodyBytes.length, 12);
  createHash('sha256').update(bodyBytes).digest().copy(header, 16);
  writeAscii(header, 48, 16, input.firmware);
  writeAscii(header, 64, 32, body.data.identity.model);
  return Buffer.concat([header, bodyBytes]);
}

/** Reads and checks an image; throws HearthError('invalid_payload') saying exactly what is wrong. */
export function decodeImage(bytes: Uint8Array): FirmwareImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || buf.subarray(0, 8).toString('latin1') !== IMAGE_MAGIC)
    throw imageError(`not a Hearth firmware image (no ${IMAGE_MAGIC} magic at the start)`);
  if (buf.length < IMAGE_HEADER_BYTES)
    throw imageError(`truncated: the header needs ${IMAGE_HEADER_BYTES} bytes, the file has ${buf.length}`);
  const formatVersion = buf.readUInt16BE(8);
  if (formatVersion !== IMAGE_FORMAT_VERSION)
    throw imageError(
      `format version ${formatVersion} is not supported (this build reads version ${IMAGE_FORMAT_VERSION}); re-flash the device with this version of hearth`,
    );
  const flags = buf.readUInt16BE(10);
  const bodyBytes = buf.readUInt32BE(12);
  if (bodyBytes > IMAGE_MAX_BODY_BYTES)
    throw imageError(`header claims a ${bodyBytes}-byte body; the limit is 64 KiB`);
  const expected = IMAGE_HEADER_BYTES + bodyBytes;
  if (buf.length < expected)
    throw imageError(`truncated: expected ${expected} bytes, the file has ${buf.length}`);
  if (buf.length > expected)
    throw imageError(`${buf.length - expected} unexpected bytes after the body (expected ${expected} bytes)`);
  const sha256 = buf.subarray(16, 48).toString('hex');
  const body = buf.subarray(IMAGE_HEADER_BYTES);
  if (createHash('sha256').update(body).digest('hex') !== sha256)
    throw imageError('corrupt: the body does not match its sha256 checksum');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw imageError('corrupt: the body is not JSON');
  }
  const result = ImageBodySchema.safeParse(parsed);
  if (!result.success)
    throw imageError(
      `the body is invalid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const header: ImageHeader = {
    formatVersion,
    factory: (flags & IMAGE_FLAG_FACTORY) !== 0,
    bodyBytes,
    sha256,
    firmware: readAscii(buf, 48, 16),
    model: readAscii(buf, 64, 32),
  };
  if (header.model !== result.data.identity.model)
    throw imageError(`header says model "${header.model}" but the body says "${result.data.identity.model}"`);
  if (header.factory !== (result.data.credentials === null))
    throw imageError('the factory flag in the header does not match the body');
  if (!FirmwareVersionSchema.safeParse(header.firmware).success)
    throw imageError(`bad firmware version ${JSON.stringify(header.firmware)} in the header`);
  return { header, body: result.data };
}
