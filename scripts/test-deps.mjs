#!/usr/bin/env node
// Makes sure the programs the integration tests drive are on this machine before `npm test` runs:
// a real Chromium for the phone app, mosquitto and its clients as third-party MQTT peers, avahi as a
// third-party mDNS browser, iproute2 for the test LANs in network namespaces, NSS tools to trust the
// hub's CA in Chromium, sqlite3 to read the hub's file as an outsider would. It installs the missing
// Debian packages when it can (root, or sudo without a password) and otherwise stops at once with
// the exact line to run. Nothing else in the suite installs anything.
import { execFileSync, spawnSync } from 'node:child_process';

export const TEST_PACKAGES = [
  'chromium',
  'mosquitto',
  'mosquitto-clients',
  'avahi-daemon',
  'avahi-utils',
  'dbus',
  'iproute2',
  'sqlite3',
  'libnss3-tools',
  'openssl',
];

// `dpkg -s` also succeeds for a package that was removed but left its config files behind
// ("deinstall ok config-files"): only the status `installed` means its programs are there.
const installed = (pkg) =>
  spawnSync('dpkg-query', ['-W', `-f=${'$'}{db:Status-Status}`, pkg], { encoding: 'utf8' }).stdout ===
  'installed';

function main() {
  if (spawnSync('dpkg', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(
      `test-deps: this is not a Debian-based machine; the tests need: ${TEST_PACKAGES.join(', ')} (or their equivalents)`,
    );
    process.exit(1);
  }
  const missing = TEST_PACKAGES.filter((p) => !installed(p));
  if (missing.length === 0) return;
  const line = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const asRoot = process.getuid?.() === 0;
  const sudo = !asRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!asRoot && !sudo) {
    console.error(`test-deps: the tests need Debian packages that are missing: ${missing.join(', ')}`);
    console.error(`Install them, then run npm test again:\n\n  sudo apt-get update && sudo ${line}\n`);
    process.exit(1);
  }
  const run = (args) =>
    execFileSync(sudo ? 'sudo' : args[0], sudo ? args : args.slice(1), {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  console.log(`test-deps: installing ${missing.join(' ')}`);
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  const still = missing.filter((p) => !installed(p));
  if (still.length > 0) {
    console.error(`test-deps: still missing after apt-get: ${still.join(', ')}`);
    process.exit(1);
  }
}

main();
