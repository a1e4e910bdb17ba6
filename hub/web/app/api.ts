// The phone app's only way to the hub: same-origin fetch with the pairing cookie. Every failure
// becomes a sentence a person understands.
export interface ApiError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export class HubUnreachable extends Error {}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new HubUnreachable('The hub cannot be reached. Check that the phone is on the home Wi-Fi.');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as {
    ok?: false;
    error?: { code: string; message: string; details?: unknown };
  } | null;
  if (!res.ok && res.status !== 202) {
    throw {
      status: res.status,
      code: data?.error?.code ?? 'unknown',
      message: data?.error?.message ?? `The hub answered ${res.status}.`,
      details: data?.error?.details,
    } satisfies ApiError;
  }
  return data as T;
}

const plain: Record<string, string> = {
  device_offline: 'The device is offline.',
  expired: 'It expired before the device could do it.',
  timeout: 'The device did not answer in time. It will still get the command if it comes back soon.',
  device_fault: 'The device refused',
  out_of_range: 'That value is out of range.',
  unsupported: 'This device cannot do that.',
  unauthorized: 'This phone is no longer paired.',
  forbidden: 'This phone is not allowed to do that.',
  rate_limited: 'Too many tries. Wait a minute and try again.',
};

export function explain(err: unknown): string {
  if (err instanceof HubUnreachable) return err.message;
  const e = err as Partial<ApiError>;
  if (e?.code === 'device_fault') return `${plain.device_fault}: ${e.message}`;
  return (e?.code && plain[e.code]) || e?.message || 'Something went wrong.';
}
