// Adoption of a factory-fresh device: it connects anonymously as `claim-<claim>` (the broker lets
// it speak only on its own provisioning topics), announces what it is every few seconds, and
// waits for the hub to answer with credentials — which it then keeps in flash. While it waits it
// also advertises _hearth-device._tcp on mDNS so `hearth discover` and the phone can see it.
import { Bonjour } from 'bonjour-service';
import mqtt from 'mqtt';
import { createBackoff } from '../../shared/backoff.js';
import { decodeJson } from '../../shared/decode.js';
import { DEVICE_SERVICE } from '../../shared/mdns-browse.js';
import {
  PAYLOAD_LIMITS,
  type ProvisionCredentials,
  ProvisionCredentialsSchema,
} from '../../shared/payloads.js';
import { provisionTopic } from '../../shared/topics.js';
import type { ProvisioningContext, ProvisioningHook } from '../runtime/hooks.js';

const ANNOUNCE_EVERY_MS = 3000;

export function mqttProvisioning(options: { mdns?: boolean } = {}): ProvisioningHook {
  return async (ctx) => {
    const mdns = options.mdns ? advertise(ctx) : undefined;
    const backoff = createBackoff({ baseMs: 500, maxMs: 15_000 });
    try {
      while (!ctx.signal.aborted) {
        for (const address of await ctx.locateHub()) {
          if (ctx.signal.aborted) break;
          const creds = await tryHub(ctx, address.host, address.port).catch((err: Error) => {
            ctx.log.warn({ err: err.message, host: address.host }, 'provisioning attempt failed');
            return null;
          });
          if (creds) return creds;
        }
        await new Promise((r) => setTimeout(r, backoff.next()));
      }
      throw new Error('provisioning stopped');
    } finally {
      mdns?.destroy();
    }
  };
}

function tryHub(ctx: ProvisioningContext, host: string, port: number): Promise<ProvisionCredentials | null> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect({
      host,
      port,
      clientId: `claim-${ctx.claimId}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      clean: true,
    });
    let timer: NodeJS.Timeout | undefined;
    const finish = (value: ProvisionCredentials | null, err?: Error) => {
      clearInterval(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      client.end(true);
      if (err) reject(err);
      else resolve(value);
    };
    const onAbort = () => finish(null);
    ctx.signal.addEventListener('abort', onAbort);
    const announce = () =>
      client.publish(
        provisionTopic(ctx.claimId, 'announce'),
        JSON.stringify({ model: ctx.model, firmware: ctx.firmware, capabilities: ctx.capabilities }),
        { qos: 1 },
      );
    client.on('connect', () => {
      client.subscribe(provisionTopic(ctx.claimId, 'credentials'), { qos: 1 }, (err) => {
        if (err) return finish(null, err);
        ctx.log.info({ claimId: ctx.claimId, hub: host }, 'waiting to be adopted');
        announce();
        timer = setInterval(announce, ANNOUNCE_EVERY_MS);
      });
    });
    client.on('message', (_topic, payload) => {
      const creds = decodeJson(ProvisionCredentialsSchema, payload, PAYLOAD_LIMITS.provision);
      const { tls } = creds.ok ? creds.value : {};
      if (creds.ok) finish(tls ? { ...creds.value, tls: { ...tls, host } } : creds.value);
      else ctx.log.warn({ code: creds.error.code }, 'credentials refused');
    });
    client.on('error', (err) => finish(null, err));
    client.on('close', () => finish(null, new Error('connection closed')));
  });
}

function advertise(ctx: ProvisioningContext): Bonjour {
  const b = new Bonjour({} as never, () => undefined);
  b.publish({
    name: `hearth-${ctx.claimId}`,
    type: DEVICE_SERVICE,
    port: 9,
    txt: { model: ctx.model, claim: ctx.claimId, firmware: ctx.firmware },
  });
  return b;
}
