// Adoption of a factory-fresh device: it connects anonymously as `claim-<claim>` (the broker lets
// it speak only on its own provisioning topics), announces what it is every few seconds, answers
// the hub's challenge with a proof of the setup code on its label, and waits for the credentials
// sealed under that code — which it opens and then keeps in flash. While it waits it
// also advertises _hearth-device._tcp on mDNS so `hearth discover` and the phone can see it.
import { Bonjour } from 'bonjour-service';
import mqtt from 'mqtt';
import { adoptionProof, newNonce, openSealed } from '../../shared/adoption-crypto.js';
import { createBackoff } from '../../shared/backoff.js';
import { decodeJson } from '../../shared/decode.js';
import { DEVICE_SERVICE } from '../../shared/mdns-browse.js';
import {
  PAYLOAD_LIMITS,
  ProvisionChallengeSchema,
  type ProvisionCredentials,
  ProvisionCredentialsSchema,
  ProvisionSealedSchema,
} from '../../shared/payloads.js';
import { provisionTopic } from '../../shared/topics.js';
import type { ProvisioningContext, ProvisioningHook } from '../runtime/hooks.js';

const ANNOUNCE_EVERY_MS = 3000;

export function mqttProvisioning(options: { mdns?: boolean } = {}): ProvisioningHook {
  return async (ctx) => {
    if (!ctx.image.body.identity.setupCode)
      throw new Error('this factory image has no setup code: flash it again with hearth flash --factory');
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
      const topics = [provisionTopic(ctx.claimId, 'credentials'), provisionTopic(ctx.claimId, 'challenge')];
      client.subscribe(topics, { qos: 1 }, (err) => {
        if (err) return finish(null, err);
        ctx.log.info({ claimId: ctx.claimId, hub: host }, 'waiting to be adopted');
        announce();
        timer = setInterval(announce, ANNOUNCE_EVERY_MS);
      });
    });
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/challenge')) return answerChallenge(ctx, client, payload);
      const creds = openCredentials(ctx, payload);
      if (!creds) return;
      const { tls } = creds;
      finish(tls ? { ...creds, tls: { ...tls, host } } : creds);
    });
    client.on('error', (err) => finish(null, err));
    client.on('close', () => finish(null, new Error('connection closed')));
  });
}

const setupCode = (ctx: ProvisioningContext) => ctx.image.body.identity.setupCode as string;

/** Proves the setup code: an HMAC over the hub's nonce and a fresh one of ours. */
function answerChallenge(ctx: ProvisioningContext, client: mqtt.MqttClient, payload: Buffer): void {
  const c = decodeJson(ProvisionChallengeSchema, payload, PAYLOAD_LIMITS.provision);
  if (!c.ok) {
    ctx.log.warn({ code: c.error.code }, 'challenge refused');
    return;
  }
  const deviceNonce = newNonce();
  const proof = adoptionProof(setupCode(ctx), ctx.claimId, c.value.hubNonce, deviceNonce);
  ctx.log.info({ claimId: ctx.claimId }, 'answering the adoption challenge');
  client.publish(
    provisionTopic(ctx.claimId, 'proof'),
    JSON.stringify({ hubNonce: c.value.hubNonce, deviceNonce, proof }),
    { qos: 1 },
  );
}

/** Opens credentials sealed under our setup code; null (and a warning) for anything else. */
function openCredentials(ctx: ProvisioningContext, payload: Buffer): ProvisionCredentials | null {
  const s = decodeJson(ProvisionSealedSchema, payload, PAYLOAD_LIMITS.provision);
  if (!s.ok) {
    ctx.log.warn({ code: s.error.code }, 'credentials refused');
    return null;
  }
  const { hubNonce, deviceNonce, sealed } = s.value;
  const plain = openSealed(setupCode(ctx), ctx.claimId, hubNonce, deviceNonce, sealed);
  const creds =
    plain === null ? null : decodeJson(ProvisionCredentialsSchema, plain, PAYLOAD_LIMITS.provision);
  if (creds?.ok) return creds.value;
  ctx.log.warn({ claimId: ctx.claimId }, 'credentials refused: not sealed under our setup code');
  return null;
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
