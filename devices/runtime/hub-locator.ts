// How a device finds its hub: a list of strategies tried in order, each giving broker addresses.
// Cached addresses (learned ones from flash first, then the image's) come built in; mDNS discovery
// plugs in as one more strategy (devices/discovery/). Never plain DNS: a home LAN has none to trust.

export interface HubAddress {
  host: string;
  port: number;
  tls: boolean;
}

export interface HubLocator {
  readonly name: string;
  /** Asked only when the other strategies' addresses have all failed (mDNS: a browse costs seconds). */
  readonly fallback?: boolean;
  locate(): Promise<HubAddress[]>;
}

export function parseHubAddress(url: string): HubAddress | null {
  const m = /^(mqtts?):\/\/(\[[^\]]+\]|[^:/\s]+):(\d{1,5})$/.exec(url);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: (m[2] as string).replace(/^\[|\]$/g, ''), port, tls: m[1] === 'mqtts' };
}

export function formatHubAddress(a: HubAddress): string {
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${a.tls ? 'mqtts' : 'mqtt'}://${host}:${a.port}`;
}

/** Addresses from flash (ones that worked) and from the image, deduplicated, in that order. */
export function cachedAddressLocator(addresses: () => readonly string[]): HubLocator {
  return {
    name: 'cached',
    async locate() {
      return addresses()
        .map(parseHubAddress)
        .filter((a): a is HubAddress => a !== null);
    },
  };
}

/**
 * Runs the strategies and concatenates what they find; a failing strategy is skipped. Fallback
 * strategies (mDNS) run only when asked, and their answers go first: a fresh answer from the LAN
 * beats a cached address that just failed.
 */
export async function locateHub(
  locators: readonly HubLocator[],
  onError: (name: string, err: unknown) => void,
  includeFallback = true,
): Promise<HubAddress[]> {
  const seen = new Set<string>();
  const out: HubAddress[] = [];
  const ordered = [...locators.filter((l) => l.fallback), ...locators.filter((l) => !l.fallback)];
  for (const locator of ordered) {
    if (locator.fallback && !includeFallback) continue;
    try {
      for (const a of await locator.locate()) {
        const key = formatHubAddress(a);
        if (!seen.has(key)) {
          seen.add(key);
          out.push(a);
        }
      }
    } catch (err) {
      onError(locator.name, err);
    }
  }
  return out;
}
