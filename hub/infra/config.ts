// One zod schema for the hub's configuration, parsed once: defaults < config file < HEARTH_* env <
// flags. A bad config is reported with every problem in plain words; nothing reads settings globally.
import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { BridgesConfigSchema, EcosystemConfigSchema } from './ecosystem-config.js';
import { MatterConfigSchema } from './matter-config.js';
import { systemTimeZone } from './time-zone.js';

const Port = z.number().int().min(0).max(65535);

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'hearth');
}

export const ConfigSchema = z.strictObject({
  /** Where the SQLite file, keys, backups and runtime.json live. */
  dataDir: z.string().min(1),
  /** Address the HTTP and MQTT listeners bind to. */
  bind: z.string().min(1).default('0.0.0.0'),
  /** HTTP API and phone app (and MQTT over WebSocket at /mqtt). 0 picks a free port. */
  httpPort: Port.default(8080),
  /** MQTT over TCP. 0 picks a free port. */
  mqttPort: Port.default(1883),
  /** HTTPS with the hub's own certificate: API, phone app, MQTT over WebSocket. 0 picks a free port. */
  httpsPort: Port.default(8443),
  /** MQTT over TLS with the hub's own certificate. 0 picks a free port. */
  mqttTlsPort: Port.default(8883),
  http: z
    .strictObject({
      /**
       * The plain HTTP listener. Off: HTTPS only. On: LAN clients get only what first contact needs
       * (pairing, the CA for phones, the app shell); the whole API only from this machine.
       */
      plain: z.boolean().default(true),
    })
    .prefault({}),
  mqtt: z
    .strictObject({
      /** The plain MQTT listener (devices flashed before TLS, integrations). Off: MQTT over TLS only. */
      plain: z.boolean().default(true),
    })
    .prefault({}),
  tls: z
    .strictObject({
      /** How often the hub compares its certificate with its current addresses. */
      checkMs: z.number().int().min(1000).default(2000),
    })
    .prefault({}),
  broker: z
    .strictObject({
      /**
       * `embedded`: the hub runs its own broker (aedes). `mosquitto`: the hub runs none; it connects
       * to a mosquitto 2.x with the dynamic-security plugin as its admin client and keeps Hearth's
       * clients, roles and ACLs there.
       */
      mode: z.enum(['embedded', 'mosquitto']).default('embedded'),
      /** Where mosquitto listens for the hub (mqtt:// or mqtts://). */
      url: z
        .string()
        .regex(/^mqtts?:\/\/[^/\s]+:\d+\/?$/, 'mqtt://HOST:PORT or mqtts://HOST:PORT')
        .default('mqtt://127.0.0.1:1883'),
      /** The dynamic-security admin (the client `mosquitto_ctrl dynsec init` creates). */
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      /** PEM file of the CA that signed mosquitto's certificate, for an mqtts:// url. */
      caFile: z.string().min(1).optional(),
      /** mosquitto's MQTT-over-TLS port for devices (written into their images); 0: none. */
      tlsPort: Port.default(0),
    })
    .prefault({})
    .superRefine((b, issue) => {
      if (b.mode !== 'mosquitto') return;
      for (const key of ['username', 'password'] as const)
        if (!b[key])
          issue.addIssue({
            code: 'custom',
            path: [key],
            message: `broker.mode "mosquitto" needs broker.${key} (the dynamic-security admin)`,
          });
    }),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Shown in the phone app and mDNS; defaults to the machine's host name. */
  hubName: z.string().min(1).max(63).default(hostname()),
  mdns: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Interface addresses to announce on; empty means all. */
      interfaces: z.array(z.string()).default([]),
    })
    .prefault({}),
  commands: z
    .strictObject({
      /** How long POST …/commands waits for the device's ack by default. */
      waitMs: z.number().int().min(0).max(30_000).default(3000),
      /** How long a setting stays deliverable to an offline device. */
      settingTtlMs: z
        .number()
        .int()
        .min(1000)
        .default(24 * 3600_000),
      /** How long an action (feed) stays deliverable: a late feed is worse than none. */
      actionTtlMs: z
        .number()
        .int()
        .min(1000)
        .default(5 * 60_000),
    })
    .prefault({}),
  admission: z
    .strictObject({
      /** New MQTT connections verified per second in a surge; the rest wait their turn. */
      connectsPerSecond: z.number().int().min(1).default(2000),
      burst: z.number().int().min(1).default(500),
    })
    .prefault({}),
  pairing: z
    .strictObject({
      /** Failed pairing attempts allowed per minute before the hub makes callers wait. */
      attemptsPerMinute: z.number().int().min(1).default(5),
    })
    .prefault({}),
  backup: z
    .strictObject({
      /** A backup every night into <data-dir>/backups. */
      enabled: z.boolean().default(true),
      /** Local hour (0–23) the nightly backup runs. */
      hour: z.number().int().min(0).max(23).default(3),
      /** How many nightly backups to keep. */
      keep: z.number().int().min(1).max(365).default(7),
    })
    .prefault({}),
  location: z
    .strictObject({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) })
    .optional(),
  /** Time zone for schedules that name none; defaults to the machine's. */
  timeZone: z.string().default(systemTimeZone),
  /** The Matter bridge (Apple Home, Google Home, Alexa on the LAN); off by default. */
  matter: MatterConfigSchema,
  /** Home Assistant MQTT discovery on the hub's own broker (README: Home Assistant and other ecosystems). */
  ecosystem: EcosystemConfigSchema,
  /** Brokers the home already runs, bridged for discovery both ways (`hearth bridge add`). */
  bridges: BridgesConfigSchema,
  /** Optional plugins by name, each validated by its own schema; absent means off. */
  plugins: z.record(z.string(), z.unknown()).default({}),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Settings given as command-line flags, already parsed (undefined means not given). */
export type ConfigFlags = Partial<Record<string, unknown>> & { config?: string | undefined };

/**
 * Environment variables: HEARTH_HTTP_PORT → httpPort, HEARTH_MDNS__ENABLED → mdns.enabled.
 * Values are JSON where they parse as JSON (numbers, booleans, arrays), strings otherwise.
 * Only settings of this schema are read: other HEARTH_* variables (HEARTH_TOKEN, used by the
 * CLI's client commands) belong to someone else.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set(Object.keys(ConfigSchema.shape));
  for (const [key, raw] of Object.entries(env)) {
    if (!key.startsWith('HEARTH_') || raw === undefined || key === 'HEARTH_CONFIG') continue;
    const path = key
      .slice('HEARTH_'.length)
      .split('__')
      .map((part) => part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    if (!known.has(path[0] as string)) continue;
    setPath(out, path, parseEnvValue(raw));
  }
  return out;
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node[key] = typeof next === 'object' && next !== null ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(...layers: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const prev = out[key];
      out[key] = isPlainObject(prev) && isPlainObject(value) ? merge(prev, value) : value;
    }
  }
  return out;
}

export interface LoadConfigOptions {
  flags?: ConfigFlags;
  env?: NodeJS.ProcessEnv;
}

/** Builds the config from every layer; throws ConfigError listing each problem. */
export function loadConfig({ flags = {}, env = process.env }: LoadConfigOptions = {}): Config {
  const { config: configPath, ...flagValues } = flags;
  const fromEnv = configFromEnv(env);
  const dataDirHint = (flagValues.dataDir ?? fromEnv.dataDir ?? defaultDataDir(env)) as string;
  const filePath = configPath ?? env.HEARTH_CONFIG ?? join(String(dataDirHint), 'config.json');
  const fromFile = readConfigFile(filePath, configPath !== undefined || env.HEARTH_CONFIG !== undefined);
  const merged = merge({ dataDir: defaultDataDir(env) }, fromFile, fromEnv, flagValues);
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const where = issue.path.length > 0 ? issue.path.join('.') : 'config';
        return `${where}: ${issue.message}`;
      }),
    );
  }
  return { ...result.data, dataDir: resolve(result.data.dataDir) };
}

function readConfigFile(path: string, required: boolean): Record<string, unknown> {
  if (!existsSync(path)) {
    if (required) throw new ConfigError([`config file ${path} does not exist`]);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`config file ${path} is not valid JSON: ${(err as Error).message}`]);
  }
  if (!isPlainObject(parsed)) throw new ConfigError([`config file ${path} must hold a JSON object`]);
  return parsed;
}
