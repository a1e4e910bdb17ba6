// Where the release key files live and how the flash tool reads the public one: `--release-key
// FILE`, else release.pub in $HEARTH_RELEASE_DIR or <data-dir>/release when it exists, else none
// (the device will refuse every update, and says so).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HearthError } from '../../shared/errors.js';
import { releasePublicKeyFromPem } from '../../shared/release-key.js';
import { dataDirFrom } from './hub-api.js';

export function releaseDir(env: NodeJS.ProcessEnv, dataDir?: string): string {
  return env.HEARTH_RELEASE_DIR || join(dataDirFrom(dataDir, env), 'release');
}

/** The raw release public key to flash, or undefined when there is none to be found. */
export async function releaseKeyToFlash(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  dataDir?: string,
): Promise<string | undefined> {
  const path = flag ? resolve(flag) : join(releaseDir(env, dataDir), 'release.pub');
  if (!flag && !existsSync(path)) return undefined;
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch {
    throw new HearthError('not_found', `cannot read the release key ${path}`);
  }
  return releasePublicKeyFromPem(pem);
}
