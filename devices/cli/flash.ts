// `hearth flash <model> --name NAME`: registers the device with the hub, writes its firmware image
// and reads it back to verify it. `--factory` writes an image with no credentials, to adopt later,
// and prints its label: the setup code (text and QR) that adopting it will ask for.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatSetupCode } from '../../shared/adoption-crypto.js';
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { HearthError } from '../../shared/errors.js';
import { decodeImage } from '../../shared/firmware-image.js';
import { MODEL_NAMES } from '../models/index.js';
import { callHub, mqttAddress, registerDevice, registeredAddress } from './hub-api.js';
import { checkModel, DATA_DIR_FLAG, HUB_FLAG, hubFromFlags, TOKEN_FLAG } from './hub-flags.js';
import { buildImage } from './image-builder.js';
import { reportFailure, tokenFrom } from './output.js';
import { createProgress } from './progress.js';
import { renderLabel } from './setup-label.js';

export const flashSpec: CommandSpec = {
  usage: 'hearth flash <model> --name NAME [--hub URL] [--token TOKEN] [--out FILE] [--factory] [--json]',
  summary: `Register a device with the hub and write its firmware image. Models: ${MODEL_NAMES.join(', ')}.`,
  options: {
    name: { type: 'string', value: 'NAME', description: 'the device name shown in the app (required)' },
    room: { type: 'string', value: 'ROOM', description: 'the room it is in' },
    hub: HUB_FLAG,
    token: TOKEN_FLAG,
    out: {
      type: 'string',
      value: 'FILE',
      description: 'where to write the image (default: ./<device-id>.img)',
    },
    factory: { type: 'boolean', description: 'write a factory image with no credentials, to adopt later' },
    'mdns-only': {
      type: 'boolean',
      description: 'write no hub address into the image: the device finds the hub by mDNS alone',
    },
    'data-dir': DATA_DIR_FLAG,
    'release-key': {
      type: 'string',
      value: 'FILE',
      description:
        'the release public key its updates must be signed with (default: release.pub in $HEARTH_RELEASE_DIR or <data-dir>/release, if there)',
    },
    json: { type: 'boolean', description: 'print one JSON object and nothing else' },
  },
  notes: [
    'Examples:',
    '  hearth flash tv --name "Living room TV" --token $TOKEN',
    '  hearth flash feeder --name "Cat feeder" --out feeder.img && hearth device run feeder.img',
  ],
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(flashSpec, args);
    if (!parsed) return 0;
    const v = parsed.values as Record<string, string | boolean | undefined>;
    const json = v.json === true;
    const [model, ...extra] = parsed.positionals;
    if (!model) throw new UsageError(`which model? one of ${MODEL_NAMES.join(', ')}`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    checkModel(model);
    const name = typeof v.name === 'string' ? v.name.trim() : '';
    if (!name) throw new UsageError('--name is required');
    const factory = v.factory === true;
    const token = tokenFrom(v.token as string | undefined, process.env);
    if (!factory && !token) throw new UsageError('an admin token is required: --token TOKEN or HEARTH_TOKEN');
    const progress = createProgress(process.stderr, !json);
    try {
      const { hub, releaseKey } = await hubFromFlags(v);
      let request: Parameters<typeof buildImage>[0];
      let device: { id: string | null; name: string; model: string };
      if (factory) {
        const addresses = hub.mqttPort && v['mdns-only'] !== true ? [mqttAddress(hub.url, hub.mqttPort)] : [];
        request = { model, name, hubAddresses: addresses };
        device = { id: null, name, model };
      } else {
        progress.update(0.1, `registering with ${hub.url}`);
        const reg = await registerDevice(hub.url, token as string, {
          name,
          model,
          ...(typeof v.room === 'string' ? { room: v.room } : {}),
        });
        const hubInfo = (await callHub(hub.url, token as string, '/api/v1/hub', { method: 'GET' }).catch(
          () => null,
        )) as {
          name?: unknown;
        } | null;
        request = {
          model,
          name,
          deviceId: reg.device.id,
          secret: reg.secret,
          hubAddresses: v['mdns-only'] === true ? [] : registeredAddress(hub.url, reg),
          ...(typeof hubInfo?.name === 'string' ? { mdnsName: hubInfo.name.slice(0, 63) } : {}),
          ...(reg.mqtt.ca ? { ca: reg.mqtt.ca } : {}),
        };
        device = { id: reg.device.id, name: reg.device.name, model: reg.device.model };
      }
      progress.update(0.5, 'building image');
      if (releaseKey) request.releaseKey = releaseKey;
      const { bytes, image } = buildImage(request);
      const out = resolve(
        typeof v.out === 'string' ? v.out : `${device.id ?? `factory-${image.body.identity.claimId}`}.img`,
      );
      progress.update(0.7, `writing ${out}`);
      await writeFile(`${out}.tmp`, bytes, { mode: 0o600 });
      await rename(`${out}.tmp`, out);
      progress.update(0.9, 'verifying');
      const check = decodeImage(await readFile(out));
      if (check.header.sha256 !== image.header.sha256)
        throw new HearthError('internal', `verification of ${out} failed`);
      progress.done();
      const result = {
        ok: true,
        image: out,
        bytes: bytes.length,
        sha256: image.header.sha256,
        firmware: image.header.firmware,
        factory,
        releaseKey: releaseKey ?? null,
        device,
        ...(factory
          ? {
              claimId: image.body.identity.claimId,
              setupCode: formatSetupCode(image.body.identity.setupCode as string),
            }
          : {}),
      };
      if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        const who = factory ? `factory image (claim ${image.body.identity.claimId})` : `device ${device.id}`;
        process.stdout.write(
          `Flashed ${model} "${name}" as ${who}\n  image   ${out} (${bytes.length} bytes, sha256 ${image.header.sha256.slice(0, 16)}…, verified)\n  boot it hearth device run ${out}\n`,
        );
        const { claimId, setupCode } = image.body.identity;
        if (factory && claimId && setupCode)
          process.stdout.write(`\n${await renderLabel({ model, claimId, setupCode })}`);
      }
      return 0;
    } catch (err) {
      progress.done();
      return reportFailure(err, json, 'flash');
    }
  });
}
