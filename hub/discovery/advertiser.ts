// Announces the hub on the LAN with mDNS: _hearth._tcp (TXT: hub id, API version, MQTT port, TLS,
// fingerprint), _mqtt._tcp and _http._tcp, with host <hostname>.local (the bare hostname that
// bonjour-service uses by default is not resolvable by avahi). Re-announces when the machine's
// addresses change, and says goodbye on stop.
import { hostname, networkInterfaces } from 'node:os';
import { Bonjour } from 'bonjour-service';
import { HUB_SERVICE } from '../../shared/mdns-browse.js';
import type { HubContext } from '../core/context.js';
import type { Unit } from '../infra/unit.js';

export interface AdvertiserOptions {
  httpPort: () => number;
  mqttPort: () => number;
  /** MQTT over TLS and HTTPS ports, and the hub CA's SHA-256 (hex), for tls=1 in TXT. */
  mqttTlsPort: () => number;
  httpsPort: () => number;
  caFingerprint: () => string;
  /** How often to look for address changes. */
  pollMs?: number;
}

function addressFingerprint(only: readonly string[]): string {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && (only.length === 0 || only.includes(a.address)))
    .map((a) => a?.address)
    .sort()
    .join(',');
}

export function createMdnsAdvertiser(ctx: HubContext, options: AdvertiserOptions): Unit {
  const log = ctx.log.child({ module: 'mdns' });
  const interfaces = ctx.config.mdns.interfaces;
  let instances: Bonjour[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastAddresses = '';
  const host = `${hostname().split('.')[0]}.local`;

  const publishAll = () => {
    const targets: Array<string | undefined> = interfaces.length > 0 ? interfaces : [undefined];
    instances = targets.map((address) => {
      const b = new Bonjour((address ? { interface: address } : {}) as never, (err: Error) =>
        log.warn({ err: err.message, address }, 'mDNS error'),
      );
      const name = ctx.config.hubName;
      b.publish({
        name,
        type: HUB_SERVICE,
        port: options.httpPort() || options.httpsPort(),
        host,
        txt: {
          id: name,
          api: '1',
          // 0 when a plain listener is switched off (http.plain, mqtt.plain).
          mqtt: String(options.mqttPort()),
          http: String(options.httpPort()),
          tls: '1',
          mqtts: String(options.mqttTlsPort()),
          https: String(options.httpsPort()),
          ca: options.caFingerprint(),
        },
      });
      if (options.mqttPort() > 0) b.publish({ name, type: 'mqtt', port: options.mqttPort(), host });
      b.publish({ name, type: 'secure-mqtt', port: options.mqttTlsPort(), host });
      if (options.httpPort() > 0)
        b.publish({ name, type: 'http', port: options.httpPort(), host, txt: { path: '/' } });
      b.publish({ name, type: 'https', port: options.httpsPort(), host, txt: { path: '/' } });
      return b;
    });
    log.info(
      { host, interfaces: interfaces.length ? interfaces : 'all', addresses: lastAddresses },
      'announced on mDNS',
    );
  };

  const unpublishAll = () =>
    Promise.all(
      instances.splice(0).map(
        (b) =>
          new Promise<void>((resolve) =>
            b.unpublishAll(() => {
              b.destroy();
              resolve();
            }),
          ),
      ),
    );

  return {
    name: 'mdns',
    start() {
      lastAddresses = addressFingerprint(interfaces);
      publishAll();
      timer = setInterval(() => {
        const now = addressFingerprint(interfaces);
        if (now === lastAddresses) return;
        lastAddresses = now;
        log.info({ addresses: now }, 'network addresses changed; announcing again');
        void unpublishAll().then(publishAll);
      }, options.pollMs ?? 2000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await unpublishAll();
    },
    health: () => ({ ok: instances.length > 0, detail: { host, addresses: lastAddresses } }),
  };
}
