// A fleet of simulated lights as one real `hearth fleet` process against a bench hub, with its
// output discarded and mDNS off (the bench hub runs on loopback): shared by the fleet benches.
import { type ChildProcess, spawn } from 'node:child_process';
import { hearthBin } from '../../hub/drills/hub-process.js';

export function spawnLightFleet(opts: {
  count: number;
  hub: { baseUrl: string; token: string };
  flashDir: string;
  extra?: string[];
}): ChildProcess {
  return spawn(
    process.execPath,
    [
      hearthBin,
      'fleet',
      '--model',
      'light',
      '--count',
      String(opts.count),
      '--hub',
      opts.hub.baseUrl,
      '--token',
      opts.hub.token,
      '--json',
      '--flash-dir',
      opts.flashDir,
      ...(opts.extra ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, HEARTH_DEVICE_MDNS: 'off' } },
  );
}
