// For the subcommands that work on the data directory itself, hub running or not (`hearth tokens`,
// `hearth mqtt-users`): the shared options, opening the store, and a HearthError as exit 1.
import { existsSync } from 'node:fs';
import type { OptionSpec, ParsedValues } from '../../shared/cli.js';
import { HearthError } from '../../shared/errors.js';
import { type Config, loadConfig } from '../infra/config.js';
import { openStore, type Store, storePath } from '../store/db.js';

export const DATA_DIR_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', value: 'DIR', description: 'data directory (HEARTH_DATA_DIR)' },
  json: { type: 'boolean', description: 'machine-readable output' },
};

/**
 * Runs `body` on the data directory's store and closes it. Only `creates` may run before the hub
 * ever did (it makes the store); a refusal (HearthError) is printed and exits 1.
 */
export async function withDataDirStore(
  v: ParsedValues,
  creates: boolean,
  body: (store: Store, json: boolean, config: Config) => number | Promise<number>,
): Promise<number> {
  const config = loadConfig({ flags: { dataDir: v['data-dir'] as string | undefined } });
  const path = storePath(config.dataDir);
  if (!existsSync(path) && !creates) {
    process.stderr.write(
      `hearth: no hub data in ${config.dataDir} (start the hub once, or pass --data-dir)\n`,
    );
    return 1;
  }
  const store = openStore(path);
  try {
    return await body(store, v.json === true, config);
  } catch (err) {
    if (err instanceof HearthError) {
      process.stderr.write(`hearth: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    store.close();
  }
}
