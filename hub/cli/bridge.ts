// `hearth bridge add URL|list|remove NAME`: bridges to brokers the home already runs, kept in the
// hub's config file (`bridges`), which holds their passwords and so is written private (0600).
// A running hub picks a change up when it restarts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { defaultDataDir } from '../infra/config.js';
import { BridgeConfigSchema, BridgesConfigSchema } from '../infra/ecosystem-config.js';
import { ensurePrivateDir } from '../ops/private-files.js';

const spec: CommandSpec = {
  usage: 'hearth bridge <add URL|list|remove NAME> [options]',
  summary:
    'Bridge to an existing MQTT broker: consume its Home Assistant discovery, announce Hearth devices there.',
  options: {
    name: { type: 'string', value: 'NAME', description: 'add: a short name (default: from the host)' },
    username: { type: 'string', value: 'USER', description: 'add: MQTT user on that broker' },
    password: { type: 'string', value: 'PW', description: 'add: its password (or HEARTH_BRIDGE_PASSWORD)' },
    'ca-file': { type: 'string', value: 'PEM', description: "add: the broker's CA (mqtts://)" },
    'cert-file': { type: 'string', value: 'PEM', description: 'add: client certificate' },
    'key-file': { type: 'string', value: 'PEM', description: 'add: client key' },
    prefix: { type: 'string', value: 'PREFIX', description: 'add: discovery prefix (default homeassistant)' },
    'no-consume': { type: 'boolean', description: 'add: do not turn its devices into Hearth devices' },
    'no-publish': { type: 'boolean', description: 'add: do not announce Hearth devices there' },
    'data-dir': { type: 'string', value: 'DIR', description: 'data directory (HEARTH_DATA_DIR)' },
    config: { type: 'string', value: 'FILE', description: 'config file (default DATA_DIR/config.json)' },
    json: { type: 'boolean', description: 'machine-readable output' },
  },
  notes: [
    'Example: hearth bridge add mqtt://192.168.1.10:1883 --name ha --username hearth --password …',
    'Restart the hub (or its service) for a change to take effect.',
  ],
};

function readFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`${path} must hold a JSON object`);
  return parsed as Record<string, unknown>;
}

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const [action, arg] = parsed.positionals;
    const v = parsed.values as Record<string, string | boolean | undefined>;
    const dataDir = (v['data-dir'] as string | undefined) ?? process.env.HEARTH_DATA_DIR ?? defaultDataDir();
    const path =
      (v.config as string | undefined) ?? process.env.HEARTH_CONFIG ?? join(dataDir, 'config.json');
    const file = readFile(path);
    const current = BridgesConfigSchema.safeParse(file.bridges ?? []);
    if (!current.success) throw new UsageError(`${path}: bridges: ${current.error.issues[0]?.message}`);
    const bridges = current.data;
    const save = (next: unknown[]) => {
      ensurePrivateDir(dataDir);
      writeFileSync(path, `${JSON.stringify({ ...file, bridges: next }, null, 2)}\n`, { mode: 0o600 });
    };
    const out = (obj: unknown, text: string) =>
      process.stdout.write(v.json === true ? `${JSON.stringify(obj)}\n` : `${text}\n`);
    switch (action) {
      case 'add': {
        if (!arg) throw new UsageError('bridge add needs a URL, e.g. mqtt://192.168.1.10:1883');
        const host = /^mqtts?:\/\/([^:/]+)/.exec(arg)?.[1] ?? 'broker';
        const password = (v.password as string | undefined) ?? process.env.HEARTH_BRIDGE_PASSWORD;
        const entry = BridgeConfigSchema.safeParse({
          name:
            (v.name as string | undefined) ??
            host
              .toLowerCase()
              .replace(/[^a-z0-9-]+/g, '-')
              .replace(/^[^a-z]+/, 'b-')
              .slice(0, 32),
          url: arg,
          ...(v.username ? { username: v.username } : {}),
          ...(password ? { password } : {}),
          ...(v['ca-file'] ? { caFile: v['ca-file'] } : {}),
          ...(v['cert-file'] ? { certFile: v['cert-file'] } : {}),
          ...(v['key-file'] ? { keyFile: v['key-file'] } : {}),
          ...(v.prefix ? { discoveryPrefix: v.prefix } : {}),
          ...(v['no-consume'] ? { consume: false } : {}),
          ...(v['no-publish'] ? { publish: false } : {}),
        });
        if (!entry.success) throw new UsageError(entry.error.issues.map((i) => i.message).join('; '));
        if (bridges.some((b) => b.name === entry.data.name))
          throw new UsageError(`a bridge named ${entry.data.name} exists (bridge remove it first)`);
        save([...bridges, entry.data]);
        out(
          { added: entry.data.name, url: entry.data.url },
          `bridge ${entry.data.name} → ${entry.data.url} added (restart the hub)`,
        );
        return 0;
      }
      case 'list':
        if (v.json === true)
          out(
            bridges.map(({ password: _p, ...b }) => b),
            '',
          );
        else if (bridges.length === 0) out([], 'no bridges (hearth bridge add URL)');
        else
          for (const b of bridges)
            out(b, `${b.name.padEnd(16)} ${b.url}${b.username ? ` as ${b.username}` : ''}`);
        return 0;
      case 'remove': {
        if (!arg) throw new UsageError('bridge remove needs a NAME');
        if (!bridges.some((b) => b.name === arg)) {
          process.stderr.write(`hearth: no bridge named ${arg}\n`);
          return 1;
        }
        save(bridges.filter((b) => b.name !== arg));
        out({ removed: arg }, `bridge ${arg} removed (restart the hub)`);
        return 0;
      }
      default:
        throw new UsageError(`unknown action "${action ?? ''}": use add, list or remove`);
    }
  });
}
