// Builds image bytes for a registered or a factory device, and checks them by decoding them back:
// the flash tool never writes an image the firmware would refuse.
import { randomBytes } from 'node:crypto';
import { generateSetupCode, normalizeSetupCode } from '../../shared/adoption-crypto.js';
import { decodeImage, encodeImage, type FirmwareImage, type ImageBody } from '../../shared/firmware-image.js';
import { findModel } from '../models/index.js';

export interface ImageRequest {
  model: string;
  name: string;
  /** Registered devices: id and secret from the hub. Omit both for a factory image. */
  deviceId?: string;
  secret?: string;
  hubAddresses: string[];
  mdnsName?: string;
  /** The hub CA (PEM): the device then speaks only MQTT over TLS and verifies the hub with it. */
  ca?: string;
  /** The release public key (raw, base64url) the device will check updates against. */
  releaseKey?: string;
}

const CLAIM_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newClaimId(): string {
  return [...randomBytes(12)].map((b) => CLAIM_ALPHABET[b % CLAIM_ALPHABET.length]).join('');
}

export function buildImage(req: ImageRequest): { bytes: Buffer; image: FirmwareImage } {
  const model = findModel(req.model);
  if (!model) throw new Error(`unknown model "${req.model}"`);
  const factory = req.deviceId === undefined;
  const body: ImageBody = {
    identity: {
      model: model.model,
      name: req.name,
      // A factory image carries the setup code printed on its label, and nothing else to prove it.
      ...(factory
        ? { claimId: newClaimId(), setupCode: normalizeSetupCode(generateSetupCode()) as string }
        : { deviceId: req.deviceId }),
    },
    credentials: factory ? null : { secret: req.secret as string },
    hub: {
      addresses: req.hubAddresses,
      ...(req.mdnsName ? { mdnsName: req.mdnsName } : {}),
      ...(req.ca ? { ca: req.ca } : {}),
    },
    ...(req.releaseKey ? { release: { publicKey: req.releaseKey } } : {}),
    createdAt: Date.now(),
  };
  const bytes = encodeImage({ firmware: model.firmware, body });
  return { bytes, image: decodeImage(bytes) };
}
