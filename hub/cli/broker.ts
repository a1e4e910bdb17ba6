// `hearth broker setup`: prepares a local Debian mosquitto to be the hub's broker (config snippet,
// dynamic-security file with the hub's admin, TLS from the hub's CA when it exists) and points the
// hub's config.json at it. Nothing is restarted: it prints the one command that does.
import { execFileSync } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { debianPlugin, dynsecFile, mosquittoSnippet, snippetPath } from '../broker/mosquitto/setup-files.js';
import { generateSecret } from '../core/secrets.js';
import { loadConfig } from '../infra/config.js';
import { TLS_FILES, tlsDir } from '../tls/tls-files.js';

const spec: CommandSpec = {
  usage: 'hearth broker setup [options]',
  summary: "Set up a local mosquitto (apt-get install mosquitto) as the hub's broker.",
  options: {
    'data-dir': { type: 'string', value: 'DIR', description: "the hub's data directory (HEARTH_DATA_DIR)" },
    'conf-dir': {
      type: 'string',
      value: 'DIR',
      description: 'mosquitto conf.d (default /etc/mosquitto/conf.d)',
    },
    'state-dir': {
      type: 'string',
      value: 'DIR',
      description: 'for dynamic-security.json (default /var/lib/mosquitto)',
    },
    'certs-dir': {
      type: 'string',
      value: 'DIR',
      description: 'for the TLS files (default /etc/mosquitto/certs)',
    },
    port: { type: 'string', value: 'PORT', description: 'plain MQTT port (default 1883)' },
    'tls-port': { type: 'string', value: 'PORT', description: 'MQTT over TLS port (default 8883)' },
    bind: { type: 'string', value: 'ADDR', description: 'listen only on this address (default: all)' },
    force: { type: 'boolean', description: 'replace an existing dynamic-security.json' },
    json: { type: 'boolean', description: 'machine-readable output' },
  },
  notes: ['Run it as root (sudo) on the machine mosquitto runs on; then restart mosquitto and the hub.'],
};

const portOf = (v: unknown, fallback: number) => {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535)
    throw new UsageError(`a port is 1-65535, not ${String(v)}`);
  return Number(v);
};

/** mosquitto drops root for its own user, which must read what is written here. */
function giveToMosquitto(path: string): void {
  if (process.getuid?.() !== 0) return;
  try {
    const uid = Number(execFileSync('id', ['-u', 'mosquitto']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'mosquitto']).toString().trim());
    chownSync(path, uid, gid);
  } catch {
    // No mosquitto user (not Debian's package): leave the owner as it is.
  }
}

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const [action] = parsed.positionals;
    if (action !== 'setup') throw new UsageError('the broker subcommand is: hearth broker setup');
    const v = parsed.values;
    const config = loadConfig({ flags: { dataDir: v['data-dir'] as string | undefined } });
    const confDir = (v['conf-dir'] as string | undefined) ?? '/etc/mosquitto/conf.d';
    const stateDir = (v['state-dir'] as string | undefined) ?? '/var/lib/mosquitto';
    const certsDir = (v['certs-dir'] as string | undefined) ?? '/etc/mosquitto/certs';
    const port = portOf(v.port, 1883);
    const tlsPort = portOf(v['tls-port'], 8883);
    const dynsecPath = join(stateDir, 'dynamic-security.json');
    if (existsSync(dynsecPath) && v.force !== true)
      throw new UsageError(
        `${dynsecPath} exists (mosquitto has dynamic security already): pass --force to replace it, or set broker.username/password to its admin`,
      );
    const admin = { username: 'hearth-hub', password: generateSecret() };
    const hubTls = tlsDir(config.dataDir);
    const haveCa = existsSync(join(hubTls, TLS_FILES.caCert)) && existsSync(join(hubTls, TLS_FILES.leafKey));
    let tls: { caFile: string; certFile: string; keyFile: string } | undefined;
    if (haveCa) {
      mkdirSync(certsDir, { recursive: true });
      tls = {
        caFile: join(certsDir, 'hearth-ca.crt'),
        certFile: join(certsDir, 'hearth-broker.crt'),
        keyFile: join(certsDir, 'hearth-broker.key'),
      };
      copyFileSync(join(hubTls, TLS_FILES.caCert), tls.caFile);
      copyFileSync(join(hubTls, TLS_FILES.leafCert), tls.certFile);
      writeFileSync(tls.keyFile, readFileSync(join(hubTls, TLS_FILES.leafKey)), { mode: 0o600 });
      giveToMosquitto(tls.keyFile);
    }
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(dynsecPath, dynsecFile(admin), { mode: 0o600 });
    giveToMosquitto(dynsecPath);
    mkdirSync(confDir, { recursive: true });
    const snippet = snippetPath(confDir);
    writeFileSync(
      snippet,
      mosquittoSnippet({
        plugin: debianPlugin(),
        dynsecFile: dynsecPath,
        port,
        tlsPort,
        ...(tls ? { tls } : {}),
      }),
    );
    const hubConfig = writeHubConfig(config.dataDir, {
      mode: 'mosquitto',
      url: `mqtt://${typeof v.bind === 'string' ? v.bind : '127.0.0.1'}:${port}`,
      ...admin,
      tlsPort: tls ? tlsPort : 0,
    });
    const restart = 'sudo systemctl restart mosquitto';
    if (v.json === true)
      process.stdout.write(
        `${JSON.stringify({ ok: true, snippet, dynsecFile: dynsecPath, tls: tls ?? null, hubConfig, restart })}\n`,
      );
    else
      process.stdout.write(
        [
          `wrote ${snippet}`,
          `wrote ${dynsecPath} (admin ${admin.username}; its password is in ${hubConfig})`,
          tls
            ? `wrote ${tls.certFile} and its key from the hub's CA: devices use MQTT over TLS on ${tlsPort}`
            : 'no hub CA yet: plain MQTT only (start the hub once, then run this again for TLS)',
          `set broker.mode "mosquitto" in ${hubConfig}`,
          '',
          `Now run:  ${restart}`,
          'and restart the hub.',
          '',
        ].join('\n'),
      );
    return 0;
  });
}

function writeHubConfig(dataDir: string, broker: Record<string, unknown>): string {
  const path = join(dataDir, 'config.json');
  const current = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify({ ...current, broker }, null, 2)}\n`, { mode: 0o600 });
  return path;
}
