// What a device checks before it writes an update into its inactive slot: the downloaded file is
// the one offered (size, SHA-256), it is signed by the release key flashed into the device, it is
// for this model, and it is newer than what runs, unless the offer carries the release key's own
// permission to go back to exactly this image.
import { createHash } from 'node:crypto';
import { HearthError } from '../../shared/errors.js';
import type { OtaOffer } from '../../shared/payloads.js';
import { downgradeStatement, verifyReleaseSignature } from '../../shared/release-key.js';
import { compareVersions, type UpdateImage, verifyUpdateImage } from '../../shared/update-image.js';

export interface RunningFirmware {
  model: string;
  version: string;
  /** The release public key from the device image; none means no update is ever accepted. */
  releaseKey: string | undefined;
}

const refused = (message: string) => new HearthError('forbidden', message);

/** Checks an offer before anything is downloaded (cheap refusals first). */
export function checkOffer(offer: OtaOffer, running: RunningFirmware): void {
  if (!running.releaseKey)
    throw refused('no release key was flashed into this device: it accepts no updates');
  if (offer.model !== running.model)
    throw refused(`offered a ${offer.model} image; this is a ${running.model}`);
  const order = compareVersions(offer.version, running.version);
  if (order === 0) throw refused(`${offer.version} is already running`);
  if (order < 0) checkDowngrade(offer, running.releaseKey, running.version);
}

function checkDowngrade(offer: OtaOffer, releaseKey: string, version: string): void {
  if (!offer.allowDowngrade)
    throw refused(`${offer.version} is older than ${version}: no downgrade unless signed`);
  const statement = downgradeStatement(offer.model, offer.version, offer.sha256);
  if (!verifyReleaseSignature(releaseKey, statement, Buffer.from(offer.allowDowngrade, 'base64url')))
    throw refused('the downgrade permission is not signed by the release key');
}

/** Checks downloaded bytes against the offer and the release key; returns the verified image. */
export function checkImage(bytes: Buffer, offer: OtaOffer, running: RunningFirmware): UpdateImage {
  checkOffer(offer, running);
  if (bytes.length !== offer.size)
    throw refused(`downloaded ${bytes.length} bytes, the offer said ${offer.size}`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== offer.sha256) throw refused('the download does not match the offered sha256');
  let image: UpdateImage;
  try {
    image = verifyUpdateImage(bytes, running.releaseKey as string);
  } catch (err) {
    throw refused((err as Error).message);
  }
  if (image.model !== running.model)
    throw refused(`the image is for ${image.model}; this is a ${running.model}`);
  if (image.version !== offer.version)
    throw refused(`the image is version ${image.version}, the offer said ${offer.version}`);
  return image;
}
