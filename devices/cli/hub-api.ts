// The flash tool's view of the hub: where it is (a flag, the running hub's runtime.json, or the
// default port) and the one call it needs, `POST /api/v1/devices`. devices/ never imports hub/,
// so runtime.json is read here with a schema of its own (hub/infra/runtime-file.ts writes it).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ERROR_CODES, HearthError } from '../../shared/errors.js';
import { DeviceIdSchema, HubCaPemSchema } from '../../shared/payloads.js';

export const DEFAULT_HUB_URL = 'http://127.0.0.1:8080';

const RuntimeSchema = z.object({
  pid: z.number().int(),
  bind: z.string(),
  httpPort: z.number().int(),
  mqttPort: z.number().int(),
});

export interface HubLocation {
  url: string;
  /** The MQTT port, when the running hub told us (runtime.json). */
  mqttPort?: number;
  source: 'flag' | 'runtime.json' | 'default';
}

export function dataDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  if (env.HEARTH_DATA_DIR) return env.HEARTH_DATA_DIR;
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'hearth');
}

/** The running hub described by `<dataDir>/runtime.json`, or null (absent, unreadable, process gone). */
export function readRuntime(dataDir: string): z.infer<typeof RuntimeSchema> | null {
  try {
    const info = RuntimeSchema.parse(JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')));
    process.kill(info.pid, 0);
    return info;
  } catch {
    return null;
  }
}

export function resolveHub(opts: { hub?: string | undefined; dataDir: string }): HubLocation {
  if (opts.hub) {
    let url: URL;
    try {
      url = new URL(opts.hub);
    } catch {
      throw new HearthError(
        'invalid_payload',
        `--hub must be a URL like http://192.168.1.10:8080, not "${opts.hub}"`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new HearthError('invalid_payload', `--hub must be an http(s) URL, not "${opts.hub}"`);
    return { url: url.origin, source: 'flag' };
  }
  const rt = readRuntime(opts.dataDir);
  if (rt) {
    const host = rt.bind === '0.0.0.0' || rt.bind === '::' ? '127.0.0.1' : rt.bind;
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${rt.httpPort}`,
      mqttPort: rt.mqttPort,
      source: 'runtime.json',
    };
  }
  return { url: DEFAULT_HUB_URL, source: 'default' };
}

export const RegistrationSchema = z.object({
  device: z.object({ id: DeviceIdSchema, name: z.string(), model: z.string() }),
  secret: z.string().min(16),
  mqtt: z.object({
    /** 0 when the hub's plain MQTT is off. */
    port: z.number().int().min(0).max(65535),
    /** Hubs that speak TLS hand their CA and TLS port with the registration (0: no MQTT over TLS). */
    tlsPort: z.number().int().min(0).max(65535).optional(),
    ca: HubCaPemSchema.optional(),
  }),
});
export type Registration = z.infer<typeof RegistrationSchema>;

const ErrorEnvelopeSchema = z.object({
  error: z.object({ code: z.enum(ERROR_CODES).catch('internal'), message: z.string() }),
});

/** Calls the hub's API; a refusal becomes a HearthError with the hub's own code and message. */
export async function callHub(
  hubUrl: string,
  token: string,
  path: string,
  init: { method: string; json?: unknown },
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL(path, hubUrl), {
      method: init.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (err as Error).message;
    throw new HearthError(
      'unavailable',
      `cannot reach the hub at ${hubUrl} (${cause}); is it running? (--hub URL)`,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    const parsed = ErrorEnvelopeSchema.safeParse(safeJson(text));
    if (parsed.success)
      throw new HearthError(parsed.data.error.code, `hub refused: ${parsed.data.error.message}`);
    throw new HearthError('internal', `hub answered ${res.status}: ${text.slice(0, 200)}`);
  }
  return text ? safeJson(text) : null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function registerDevice(
  hubUrl: string,
  token: string,
  body: { name: string; model: string },
): Promise<Registration> {
  const raw = await callHub(hubUrl, token, '/api/v1/devices', { method: 'POST', json: body });
  const parsed = RegistrationSchema.safeParse(raw);
  if (!parsed.success)
    throw new HearthError('internal', 'the hub answered the registration with an unexpected body');
  return parsed.data;
}

/** The broker address a device should use: the hub's host with the MQTT port it reported. */
export function mqttAddress(hubUrl: string, mqttPort: number, tls = false): string {
  return `${tls ? 'mqtts' : 'mqtt'}://${new URL(hubUrl).hostname}:${mqttPort}`;
}

/**
 * Where a registered device connects: only the hub's TLS port when the hub gave its CA (a device
 * that can verify the hub never falls back to plain), else its plain port.
 */
export function registeredAddress(hubUrl: string, reg: Registration): string[] {
  if (reg.mqtt.ca && reg.mqtt.tlsPort) return [mqttAddress(hubUrl, reg.mqtt.tlsPort, true)];
  return reg.mqtt.port > 0 ? [mqttAddress(hubUrl, reg.mqtt.port)] : [];
}
