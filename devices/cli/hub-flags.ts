// The flags that `hearth flash` and `hearth fleet` share to reach the hub (--hub, --token,
// --data-dir) and the model argument, declared and read once: where the hub is and which release
// key the images get, in the same order and with the same messages for both commands.
import { type OptionSpec, UsageError } from '../../shared/cli.js';
import { MODEL_NAMES } from '../models/index.js';
import { dataDirFrom, type HubLocation, resolveHub } from './hub-api.js';
import { releaseKeyToFlash } from './release-files.js';

export const HUB_FLAG: OptionSpec = {
  type: 'string',
  value: 'URL',
  description: 'the hub (default: the running hub in --data-dir, else http://127.0.0.1:8080)',
};
export const TOKEN_FLAG: OptionSpec = {
  type: 'string',
  value: 'TOKEN',
  description: 'admin API token (default: $HEARTH_TOKEN)',
};
export const DATA_DIR_FLAG: OptionSpec = {
  type: 'string',
  value: 'DIR',
  description: 'the hub data directory, to find a running hub',
};

/** Refuses a model this firmware does not have, naming the ones it has. */
export function checkModel(model: string): void {
  if (!MODEL_NAMES.includes(model))
    throw new UsageError(`unknown model "${model}"; one of ${MODEL_NAMES.join(', ')}`);
}

/** The hub the flags point at and the release key to flash (none when there is none to find). */
export async function hubFromFlags(
  v: Record<string, string | boolean | undefined>,
): Promise<{ hub: HubLocation; releaseKey: string | undefined }> {
  const dataDir = v['data-dir'] as string | undefined;
  const hub = resolveHub({ hub: v.hub as string | undefined, dataDir: dataDirFrom(dataDir, process.env) });
  const releaseKey = await releaseKeyToFlash(v['release-key'] as string | undefined, process.env, dataDir);
  return { hub, releaseKey };
}
