// Finds the hub by an mDNS browse for _hearth._tcp when cached addresses fail: the answer's own
// A records give the address, its TXT record the MQTT ports (plain and, with tls=1, TLS). Never the
// system DNS resolver.
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
      const valid = (port: number) => Number.isInteger(port) && port > 0 && port < 65536;
      return hubs.flatMap((h) => {
        const tlsPort = h.txt.tls === '1' ? Number(h.txt.mqtts) : 0;
        const plainPort = Number(h.txt.mqtt);
        const ports = [
          ...(valid(tlsPort) ? [{ port: tlsPort, tls: true }] : []),
          ...(valid(plainPort) ? [{ port: plainPort, tls: false }] : []),
        ];
        return h.addresses
          .filter((a) => a.includes('.'))
          .flatMap((host) => ports.map(({ port, tls }) => ({ host, port, tls })));
      });
    },
  };
}
