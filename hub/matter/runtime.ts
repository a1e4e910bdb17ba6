// Loads matter.js for the hub: its process-wide switches are set before its Node.js environment
// is built (on first import), so it reads no argv, environment or config file of its own, traps no
// signals and sets no exit code; the hub owns its process. Storage, mDNS interface and logging
// follow the hub's config.
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../infra/config.js';

/** Where the Matter node keeps its fabrics, keys and endpoint numbers (backed up with the hub). */
export const matterDir = (dataDir: string) => join(dataDir, 'matter');

/** The interface that holds the first of Hearth's mDNS addresses; undefined means all of them. */
export function mdnsInterfaceName(addresses: readonly string[]): string | undefined {
  if (addresses.length === 0) return undefined;
  for (const [name, infos] of Object.entries(networkInterfaces()))
    if (infos?.some((i) => addresses.includes(i.address))) return name;
  throw new Error(`no network interface holds the mDNS address(es) ${addresses.join(', ')}`);
}

let loaded: Promise<typeof import('./bridge.js')> | undefined;

export function loadMatter(config: Config): Promise<typeof import('./bridge.js')> {
  loaded ??= (async () => {
    const { config: nodeConfig } = await import('@matter/nodejs/config');
    nodeConfig.loadProcessArgv = false;
    nodeConfig.loadProcessEnv = false;
    nodeConfig.loadConfigFile = false;
    nodeConfig.trapProcessSignals = false;
    nodeConfig.trapUnhandledErrors = false;
    nodeConfig.setProcessExitCodeOnError = false;
    const { Environment } = await import('@matter/main');
    const vars = Environment.default.vars;
    vars.set('storage.path', matterDir(config.dataDir));
    const quiet = config.logLevel === 'debug' || config.logLevel === 'trace' ? 'info' : 'error';
    vars.set('log.level', quiet);
    const ifname = mdnsInterfaceName(config.mdns.interfaces);
    if (ifname !== undefined) vars.set('mdns.networkInterface', ifname);
    return import('./bridge.js');
  })();
  return loaded;
}
