// The lab's client for the drill hub's HTTP API and its /metrics, with the lab's admin token.

export interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

export function createLabApi(baseUrl: string, token: () => string) {
  const api = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  };

  /** A sample of a metric from /metrics (0 when absent); `label` picks one series. */
  const metric = async (name: string, label?: string): Promise<number> => {
    const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${token()}` } });
    const text = await res.text();
    const series = label
      ? `\\{[^}]*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^}]*\\}`
      : '(?:\\{[^}]*\\})?';
    const m = new RegExp(`^${name}${series} ([0-9.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };

  return { api, metric };
}
