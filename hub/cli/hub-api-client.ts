// For the subcommands that go through the running hub's HTTP API (`hearth schedule`, `hearth
// firmware`), so every rule the API enforces applies to them too: one request helper, its options.
import type { OptionSpec } from '../../shared/cli.js';

/** The hub answered with an error, or could not be reached: printed, exit 1. */
export class HubApiError extends Error {}

/** Sends JSON `body`, or `raw` bytes as application/octet-stream; resolves with the JSON answer. */
export type HubApi = (method: string, path: string, body?: unknown, raw?: Buffer) => Promise<unknown>;

export const HUB_API_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', value: 'DIR', description: 'data directory of the running hub' },
  json: { type: 'boolean', description: 'machine-readable output' },
};

/** http://host:port of a hub bound to `bind`; a wildcard bind is reached on loopback. */
export function hubBaseUrl(bind: string, httpPort: number): string {
  const host = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind;
  return `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`;
}

export function createHubApi(opts: {
  /** Where the hub is; throws HubApiError when none is running. Asked on each request. */
  base(): Promise<string> | string;
  token: string | undefined;
  /** The error when no token was given. */
  noToken: string;
}): HubApi {
  return async (method, path, body, raw) => {
    const base = await opts.base();
    if (!opts.token) throw new HubApiError(opts.noToken);
    let res: Response;
    try {
      res = await fetch(new URL(path, base), {
        method,
        headers: {
          authorization: `Bearer ${opts.token}`,
          ...(raw ? { 'content-type': 'application/octet-stream' } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(raw ? { body: new Uint8Array(raw) } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new HubApiError(`cannot reach the hub at ${base}: ${(err as Error).message}`);
    }
    if (res.status === 204) return undefined;
    const data = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    if (!res.ok)
      throw new HubApiError(`${data?.error?.message ?? res.statusText} (${data?.error?.code ?? res.status})`);
    return data;
  };
}
