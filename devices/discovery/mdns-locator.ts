// Finds the hub by an mDNS browse for _hearth._tcp when cached addresses fail: the answer's own
// A records give the address, its TXT record the MQTT port. Never the system DNS resolver.
import { browse, HUB_SERVICE } from '../../shared/mdns-browse.js';
import type { HubAddress, HubLocator } from '../runtime/hub-locator.js';

export function mdnsHubLocator(options: { timeoutMs?: number; interfaceAddress?: string } = {}): HubLocator {
  return {
    name: 'mdns',
    fallback: true,
    async locate(): Promise<HubAddress[]> {
      const hubs = await browse({
        type: HUB_SERVICE,
        timeoutMs: options.timeoutMs ?? 3000,
        enough: 1,
        ...(options.interfaceAddress ? { interfaceAddress: options.interfaceAddress } : {}),
      });
      return hubs.flatMap((h) => {
        const port = Number(h.txt.mqtt);
        if (!Number.isInteger(port) || port <= 0) return [];
        return h.addresses
          .filter((a) => a.includes('.'))
          .map((host) => ({ host, port, tls: h.txt.tls === '1' }));
      });
    },
  };
}
