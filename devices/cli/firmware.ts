// `hearth firmware keygen` and `hearth firmware build`: the release key pair, and signed update
// images for a model (good ones, or deliberately bad ones to rehearse a rollback). Uploading and
// rolling out are the hub's (hub/cli/firmware.ts).
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type CommandSpec, parseCommand, UsageError } from '../../shared/cli.js';
import { HearthError } from '../../shared/errors.js';
import {
  generateReleaseKey,
  loadReleasePrivateKey,
  releasePublicKeyFromPem,
} from '../../shared/release-key.js';
import {
  encodeUpdateImage,
  FIRMWARE_BEHAVIOURS,
  FirmwareVersionSchema,
  verifyUpdateImage,
} from '../../shared/update-image.js';
import { MODEL_NAMES } from '../models/index.js';
import { reportFailure } from './output.js';
import { releaseDir } from './release-files.js';
import { runSubcommand } from './subcommands.js';

const keygenSpec: CommandSpec = {
  usage: 'hearth firmware keygen [--out DIR] [--force] [--json]',
  summary:
    'Make the release signing key pair: release.key (private, mode 0600; keep it safe and off shared disks) and release.pub (flashed into devices).',
  options: {
    out: {
      type: 'string',
      value: 'DIR',
      description: 'where to write them (default: $HEARTH_RELEASE_DIR or <data-dir>/release)',
    },
    force: {
      type: 'boolean',
      description: 'replace an existing key (devices flashed with the old one will refuse new builds)',
    },
    'data-dir': { type: 'string', value: 'DIR', description: 'the hub data directory' },
    json: { type: 'boolean', description: 'print one JSON object' },
  },
};

const buildSpec: CommandSpec = {
  usage:
    'hearth firmware build MODEL --version V [--key FILE] [--out FILE] [--bad KIND] [--size BYTES] [--json]',
  summary: `Write a signed update image for a model (${MODEL_NAMES.join(', ')}).`,
  options: {
    version: { type: 'string', value: 'V', description: 'the firmware version, e.g. 1.1.0 (required)' },
    key: {
      type: 'string',
      value: 'FILE',
      description: 'the release private key (default: release.key in the release folder)',
    },
    out: {
      type: 'string',
      value: 'FILE',
      description: 'where to write it (default: ./<model>-<version>.hup)',
    },
    bad: {
      type: 'string',
      value: 'KIND',
      description: `a deliberately bad build: ${FIRMWARE_BEHAVIOURS.filter((b) => b !== 'good').join(', ')}`,
    },
    size: { type: 'string', value: 'BYTES', description: 'code size in bytes (default 65536)' },
    'data-dir': { type: 'string', value: 'DIR', description: 'the hub data directory' },
    json: { type: 'boolean', description: 'print one JSON object' },
  },
  notes: ['Example: hearth firmware build feeder --version 1.1.0 && hearth firmware upload feeder-1.1.0.hup'],
};

async function keygen(args: string[]): Promise<number> {
  const parsed = parseCommand(keygenSpec, args);
  if (!parsed) return 0;
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const json = v.json === true;
  try {
    const dir = resolve(
      (v.out as string | undefined) ?? releaseDir(process.env, v['data-dir'] as string | undefined),
    );
    const keyFile = join(dir, 'release.key');
    if (existsSync(keyFile) && v.force !== true)
      throw new HearthError(
        'conflict',
        `${keyFile} exists; pass --force to replace it (devices flashed with it would refuse new builds)`,
      );
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const pair = generateReleaseKey();
    await writeFile(`${keyFile}.tmp`, pair.privatePem, { mode: 0o600 });
    await chmod(`${keyFile}.tmp`, 0o600);
    await rename(`${keyFile}.tmp`, keyFile);
    await writeFile(join(dir, 'release.pub'), pair.publicPem, { mode: 0o644 });
    const result = { ok: true, privateKey: keyFile, publicKey: join(dir, 'release.pub'), keyId: pair.keyId };
    process.stdout.write(
      json
        ? `${JSON.stringify(result)}\n`
        : `Release key ${pair.keyId}\n  private ${keyFile} (0600: keep it secret, back it up offline)\n  public  ${result.publicKey} (hearth flash --release-key)\n`,
    );
    return 0;
  } catch (err) {
    return reportFailure(err, json, 'firmware keygen');
  }
}

async function build(args: string[]): Promise<number> {
  const parsed = parseCommand(buildSpec, args);
  if (!parsed) return 0;
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const json = v.json === true;
  const [model, ...extra] = parsed.positionals;
  if (!model || !MODEL_NAMES.includes(model))
    throw new UsageError(`which model? one of ${MODEL_NAMES.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const version = v.version as string | undefined;
  if (!version || !FirmwareVersionSchema.safeParse(version).success)
    throw new UsageError('--version is required: 1-16 of 0-9 A-Z . + - (e.g. 1.1.0)');
  const bad = (v.bad as string | undefined) ?? 'good';
  if (!(FIRMWARE_BEHAVIOURS as readonly string[]).includes(bad) || (v.bad !== undefined && bad === 'good'))
    throw new UsageError(`--bad is one of ${FIRMWARE_BEHAVIOURS.filter((b) => b !== 'good').join(', ')}`);
  const size = v.size === undefined ? 65_536 : Number(v.size);
  if (!Number.isInteger(size) || size < 0) throw new UsageError('--size is a whole number of bytes');
  try {
    const keyFile = resolve(
      (v.key as string | undefined) ??
        join(releaseDir(process.env, v['data-dir'] as string | undefined), 'release.key'),
    );
    let pem: string;
    try {
      pem = await readFile(keyFile, 'utf8');
    } catch {
      throw new HearthError(
        'not_found',
        `no release key at ${keyFile} (hearth firmware keygen, or --key FILE)`,
      );
    }
    const privateKey = loadReleasePrivateKey(pem);
    const publicKey = releasePublicKeyFromPem(pem);
    const bytes = encodeUpdateImage({
      manifest: {
        model,
        version,
        behaviour: bad as (typeof FIRMWARE_BEHAVIOURS)[number],
        builtAt: Date.now(),
      },
      codeSize: size,
      privateKey,
      publicKey,
    });
    const out = resolve((v.out as string | undefined) ?? `${model}-${version}.hup`);
    await writeFile(`${out}.tmp`, bytes);
    await rename(`${out}.tmp`, out);
    const image = verifyUpdateImage(await readFile(out), publicKey);
    const result = {
      ok: true,
      image: out,
      model,
      version,
      behaviour: bad,
      bytes: image.size,
      sha256: image.sha256,
      keyId: image.keyId,
    };
    process.stdout.write(
      json
        ? `${JSON.stringify(result)}\n`
        : `Built ${model} ${version}${bad === 'good' ? '' : ` (deliberately bad: ${bad})`}\n  image  ${out} (${image.size} bytes, sha256 ${image.sha256.slice(0, 16)}…, signed by ${image.keyId}, verified)\n  next   hearth firmware upload ${out}\n`,
    );
    return 0;
  } catch (err) {
    return reportFailure(err, json, 'firmware build');
  }
}

export function run(args: string[]): Promise<number> {
  return runSubcommand(args, { keygen, build }, (sub) => {
    throw new UsageError(`unknown firmware subcommand "${sub ?? ''}"; try: hearth firmware --help`);
  });
}
