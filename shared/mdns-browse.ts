// Browsing the LAN with mDNS (bonjour-service): how devices, `hearth discover` and tests find
// the hub without any DNS server. Answers carry the addresses themselves (A records), so nothing
// here ever asks the system resolver.
import { Bonjour, type Service } from 'bonjour-service';

export const HUB_SERVICE = 'hearth';
export const DEVICE_SERVICE = 'hearth-device';

export interface FoundService {
  name: string;
  host: string;
  /** IPv4 first: simulated firmware speaks IPv4. */
  addresses: string[];
  port: number;
  txt: Record<string, string>;
}

export interface BrowseOptions {
  type: string;
  /** How long to listen for answers. */
  timeoutMs?: number;
  /** Stop as soon as this many services answered. */
  enough?: number;
  /** Bind to the interface with this IPv4 address (default: all). */
  interfaceAddress?: string;
}

function toFound(s: Service): FoundService {
  const addresses = [...(s.addresses ?? [])].sort(
    (a, b) => Number(b.includes('.')) - Number(a.includes('.')),
  );
  const txt: Record<string, string> = {};
  for (const [k, v] of Object.entries((s.txt ?? {}) as Record<string, unknown>)) txt[k] = String(v);
  return { name: s.name, host: s.host, addresses, port: s.port, txt };
}

export function browse({
  type,
  timeoutMs = 2000,
  enough,
  interfaceAddress,
}: BrowseOptions): Promise<FoundService[]> {
  return new Promise((resolve) => {
    const bonjour = new Bonjour(
      (interfaceAddress ? { interface: interfaceAddress } : {}) as never,
      () => undefined,
    );
    const found = new Map<string, FoundService>();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      browser.stop();
      bonjour.destroy();
      resolve([...found.values()]);
    };
    const browser = bonjour.find({ type }, (s) => {
      const f = toFound(s);
      if (f.addresses.length === 0) return;
      found.set(f.name, f);
      if (enough !== undefined && found.size >= enough) setTimeout(finish, 50);
    });
    const timer = setTimeout(finish, timeoutMs);
  });
}
