// The signed update image (devices/IMAGE-FORMAT.md, "Update image"): what `hearth firmware build`
// writes, the hub stores and serves, and a device downloads into its inactive slot. Unlike a
// device image it carries no identity or secret: one file per model and version, for every device.
// A 128-byte header, the payload (a JSON manifest, then the code), and a 96-byte signature section
// whose Ed25519 signature covers the header (which holds the payload's SHA-256).
import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { HearthError } from './errors.js';
import { releaseKeyId, signWithReleaseKey, verifyReleaseSignature } from './release-key.js';

export const UPDATE_MAGIC = 'HEARTHUP';
export const UPDATE_FORMAT_VERSION = 1;
export const UPDATE_HEADER_BYTES = 128;
export const SIGNATURE_MAGIC = 'HSIG';
export const SIGNATURE_BYTES = 96;
export const SIGNATURE_ALG_ED25519 = 1;
export const UPDATE_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
const MANIFEST_MAX_BYTES = 4096;

/** How the simulated code behaves once booted: `good`, or one of the deliberately bad builds. */
export const FIRMWARE_BEHAVIOURS = ['good', 'crash-at-boot', 'fail-self-test', 'never-reconnect'] as const;
export type FirmwareBehaviour = (typeof FIRMWARE_BEHAVIOURS)[number];

export const FirmwareVersionSchema = z
  .string()
  .regex(/^[0-9A-Za-z.+-]{1,16}$/, 'firmware versions are 1-16 of 0-9 A-Z . + -');

export const UpdateManifestSchema = z.strictObject({
  model: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  version: FirmwareVersionSchema,
  behaviour: z.enum(FIRMWARE_BEHAVIOURS),
  builtAt: z.number().int().nonnegative(),
});
export type UpdateManifest = z.infer<typeof UpdateManifestSchema>;

export interface UpdateImage {
  model: string;
  version: string;
  manifest: UpdateManifest;
  /** SHA-256 of the payload (in the header). */
  payloadSha256: string;
  /** SHA-256 of the whole file: what an offer names and a download is checked against. */
  sha256: string;
  size: number;
  keyId: string;
  /** The Ed25519 signature, base64url. */
  signature: string;
}

function refuse(message: string): HearthError {
  return new HearthError('invalid_payload', `update image refused: ${message}`);
}

const readAscii = (buf: Buffer, offset: number, width: number) => {
  const raw = buf.subarray(offset, offset + width);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? width : end).toString('ascii');
};

/** Code bytes for a simulated build: deterministic, incompressible, `size` long. */
function codeBytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < size; at += 32) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** Builds and signs an update image; `codeSize` pads the payload as a real build's code would. */
export function encodeUpdateImage(input: {
  manifest: UpdateManifest;
  codeSize: number;
  privateKey: KeyObject;
  publicKey: string;
}): Buffer {
  const manifest = UpdateManifestSchema.safeParse(input.manifest);
  if (!manifest.success) throw refuse(manifest.error.issues.map((i) => i.message).join('; '));
  const m = Buffer.from(JSON.stringify(manifest.data), 'utf8');
  if (
    !Number.isInteger(input.codeSize) ||
    input.codeSize < 0 ||
    m.length + input.codeSize > UPDATE_MAX_PAYLOAD_BYTES
  )
    throw refuse(`code size must be 0 to ${UPDATE_MAX_PAYLOAD_BYTES - m.length} bytes`);
  const payload = Buffer.concat([
    m,
    codeBytes(`${manifest.data.model}/${manifest.data.version}`, input.codeSize),
  ]);
  const header = Buffer.alloc(UPDATE_HEADER_BYTES);
  header.write(UPDATE_MAGIC, 0, 8, 'ascii');
  header.writeUInt16BE(UPDATE_FORMAT_VERSION, 8);
  header.writeUInt32BE(payload.length, 12);
  createHash('sha256').update(payload).digest().copy(header, 16);
  header.write(manifest.data.version, 48, 16, 'ascii');
  header.write(manifest.data.model, 64, 32, 'ascii');
  header.writeUInt32BE(m.length, 96);
  const sig = Buffer.alloc(SIGNATURE_BYTES);
  sig.write(SIGNATURE_MAGIC, 0, 4, 'ascii');
  sig.writeUInt16BE(SIGNATURE_ALG_ED25519, 4);
  sig.writeUInt16BE(64, 6);
  Buffer.from(releaseKeyId(input.publicKey), 'hex').copy(sig, 8);
  signWithReleaseKey(input.privateKey, header).copy(sig, 16);
  return Buffer.concat([header, payload, sig]);
}

/**
 * Reads an update image and checks its structure and payload hash (not its signature: the hub
 * may not know the release key; a device checks that with `verifyUpdateImage`).
 */
export function decodeUpdateImage(bytes: Uint8Array): UpdateImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 8 || buf.subarray(0, 8).toString('latin1') !== UPDATE_MAGIC)
    throw refuse(`not a Hearth update image (no ${UPDATE_MAGIC} magic at the start)`);
  if (buf.length < UPDATE_HEADER_BYTES + SIGNATURE_BYTES)
    throw refuse(`truncated: ${buf.length} bytes is less than a header and a signature`);
  const formatVersion = buf.readUInt16BE(8);
  if (formatVersion !== UPDATE_FORMAT_VERSION)
    throw refuse(
      `format version ${formatVersion} is not supported (this build reads ${UPDATE_FORMAT_VERSION})`,
    );
  const payloadBytes = buf.readUInt32BE(12);
  if (payloadBytes > UPDATE_MAX_PAYLOAD_BYTES) throw refuse(`header claims a ${payloadBytes}-byte payload`);
  const expected = UPDATE_HEADER_BYTES + payloadBytes + SIGNATURE_BYTES;
  if (buf.length !== expected) throw refuse(`expected ${expected} bytes, the file has ${buf.length}`);
  const header = buf.subarray(0, UPDATE_HEADER_BYTES);
  const payload = buf.subarray(UPDATE_HEADER_BYTES, UPDATE_HEADER_BYTES + payloadBytes);
  const payloadSha256 = header.subarray(16, 48).toString('hex');
  if (createHash('sha256').update(payload).digest('hex') !== payloadSha256)
    throw refuse('corrupt: the payload does not match its sha256 checksum');
  const manifestBytes = header.readUInt32BE(96);
  if (manifestBytes > Math.min(payloadBytes, MANIFEST_MAX_BYTES)) throw refuse('bad manifest length');
  let manifest: UpdateManifest;
  try {
    manifest = UpdateManifestSchema.parse(JSON.parse(payload.subarray(0, manifestBytes).toString('utf8')));
  } catch {
    throw refuse('the manifest is not valid');
  }
  const version = readAscii(header, 48, 16);
  const model = readAscii(header, 64, 32);
  if (manifest.model !== model || manifest.version !== version)
    throw refuse(
      `the header says ${model} ${version} but the manifest ${manifest.model} ${manifest.version}`,
    );
  const sig = buf.subarray(UPDATE_HEADER_BYTES + payloadBytes);
  if (sig.subarray(0, 4).toString('latin1') !== SIGNATURE_MAGIC) throw refuse('no signature section');
  if (sig.readUInt16BE(4) !== SIGNATURE_ALG_ED25519 || sig.readUInt16BE(6) !== 64)
    throw refuse('unknown signature algorithm');
  return {
    model,
    version,
    manifest,
    payloadSha256,
    sha256: createHash('sha256').update(buf).digest('hex'),
    size: buf.length,
    keyId: sig.subarray(8, 16).toString('hex'),
    signature: sig.subarray(16, 80).toString('base64url'),
  };
}

/** Decodes and checks the signature against the device's release key; throws saying why not. */
export function verifyUpdateImage(bytes: Uint8Array, publicKey: string): UpdateImage {
  const image = decodeUpdateImage(bytes);
  const header = Buffer.from(bytes.buffer, bytes.byteOffset, UPDATE_HEADER_BYTES);
  if (image.keyId !== releaseKeyId(publicKey))
    throw refuse(`signed by key ${image.keyId}, not by this device's release key ${releaseKeyId(publicKey)}`);
  if (!verifyReleaseSignature(publicKey, header, Buffer.from(image.signature, 'base64url')))
    throw refuse('the signature does not verify with the release key');
  return image;
}

/** Orders versions by their dot-separated parts, numerically where both parts are numbers. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    const c = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}
