#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.mmap_threshold=16384 node --max-semi-space-size=1 --heap-growing-percent=20
// The `hearth` command: a thin dispatcher. Each subcommand's code lives with the side that owns it
// (hub/ or devices/); this file only maps names to modules and prints help.
import { hearthVersion } from '../hub/infra/version.js';

interface Subcommand {
  summary: string;
  /** The module that runs it; `args` picks one when a command's verbs belong to both sides. */
  load: (args: string[]) => Promise<{ run(args: string[]): Promise<number> }>;
}

const subcommands: Record<string, Subcommand> = {
  start: {
    summary: 'run the hub (broker, API, phone app, schedules)',
    load: () => import('../hub/cli/start.js'),
  },
  tokens: { summary: 'create, list or revoke API tokens', load: () => import('../hub/cli/tokens.js') },
  'mqtt-users': {
    summary: 'add, list or remove MQTT users for integrations',
    load: () => import('../hub/cli/mqtt-users.js'),
  },
  broker: {
    summary: "set up a local mosquitto as the hub's broker (setup)",
    load: () => import('../hub/cli/broker.js'),
  },
  bridge: {
    summary: 'bridge to an existing MQTT broker (Home Assistant discovery both ways)',
    load: () => import('../hub/cli/bridge.js'),
  },
  backup: {
    summary: 'back up the database, config and keys (safe while running)',
    load: () => import('../hub/cli/backup.js'),
  },
  restore: {
    summary: 'restore a verified backup into a stopped hub',
    load: () => import('../hub/cli/restore.js'),
  },
  doctor: {
    summary: 'check the setup and say how to fix what is wrong',
    load: () => import('../hub/cli/doctor.js'),
  },
  service: {
    summary: 'install, remove or show the systemd service',
    load: () => import('../hub/cli/service.js'),
  },
  discover: {
    summary: 'list hubs and devices seen on the LAN (mDNS)',
    load: () => import('../hub/cli/discover.js'),
  },
  adopt: { summary: 'adopt a factory device waiting on the LAN', load: () => import('../hub/cli/adopt.js') },
  flash: {
    summary: 'register a device and write its firmware image',
    load: () => import('../devices/cli/flash.js'),
  },
  device: {
    summary: 'boot simulated devices from images (device run IMAGE…)',
    load: () => import('../devices/cli/device.js'),
  },
  fleet: {
    summary: 'register and boot a fleet of simulated devices',
    load: () => import('../devices/cli/fleet.js'),
  },
  schedule: {
    summary: 'add, list or remove schedules; show their runs',
    load: () => import('../hub/cli/schedule.js'),
  },
  firmware: {
    summary: 'release key, signed update images (keygen, build); upload and staged rollouts',
    load: (args) =>
      args[0] === 'keygen' || args[0] === 'build'
        ? import('../devices/cli/firmware.js')
        : import('../hub/cli/firmware.js'),
  },
  matter: {
    summary: 'the Matter bridge: pairing code for Apple Home, Google Home, Alexa; decommission',
    load: () => import('../hub/cli/matter.js'),
  },
  drill: {
    summary: 'run an outage drill (wan-down, hub-kill, reconnect-surge…) on a throwaway hub',
    load: () => import('../hub/cli/drill.js'),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(subcommands).map((n) => n.length));
  const lines = Object.entries(subcommands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'hearth — a local-first smart-home hub',
    '',
    'Usage: hearth <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show help (also: hearth <command> --help)',
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 1 : 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${hearthVersion()}\n`);
    return 0;
  }
  const command = subcommands[name];
  if (!command) {
    process.stderr.write(`hearth: unknown command "${name}"\n\n${help()}`);
    return 1;
  }
  const module = await command.load(rest);
  return module.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`hearth: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
