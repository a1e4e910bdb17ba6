// Factory-fresh devices waiting to be adopted: recorded from their announcements on
// hearth/provision/<claim>/announce (unadopted claims expire), listed at /api/v1/discovered, and
// adopted with POST /api/v1/discovered/:claim/adopt {setupCode}: the device first proves it holds
// the code on its label (adoption-challenge.ts), then the hub registers it and hands it its
// credentials sealed under a key from that code and both nonces — whoever else reads the claim's
// topics gets ciphertext. A device that missed them (it rebooted, it was not subscribed yet)
// announces again, and gets them again, until it first connects with them (or a day has passed).
import { Hono } from 'hono';
import { normalizeSetupCode, sealForDevice } from '../../shared/adoption-crypto.js';
import { decodeJson } from '../../shared/decode.js';
import { HearthError } from '../../shared/errors.js';
import {
  PAYLOAD_LIMITS,
  ProvisionAnnounceSchema,
  type ProvisionCredentials,
  ProvisionCredentialsSchema,
  ProvisionSealedSchema,
} from '../../shared/payloads.js';
import { allProvisionTopic, isClaimId, parseTopic, provisionTopic } from '../../shared/topics.js';
import { type ApiEnv, type ApiUnit, readJson, requireRight } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import { createAdoptionChallenges } from './adoption-challenge.js';
import { AdoptBodySchema, discoveredOpenApi } from './discovered-openapi.js';

export const CLAIM_TTL_MS = 10 * 60_000;
/** How long credentials of an adopted device that has not connected yet are re-sent. */
export const CREDENTIALS_RESEND_MS = 24 * 3600_000;

export function createProvisioning(ctx: CoreContext): ApiUnit {
  const log = ctx.log.child({ module: 'provisioning' });
  const discovered = ctx.repos.discovered;
  /** Adopted claims whose device has not connected yet: the sealed credentials, and until when. */
  const pending = new Map<string, { deviceId: string; sealed: string; until: number }>();
  const challenges = createAdoptionChallenges(ctx, log);
  let unsubscribeProofs: (() => Promise<void>) | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;
  let unlisten: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const sendCredentials = (claimId: string, sealed: string) =>
    ctx.messaging.publish(provisionTopic(claimId, 'credentials'), sealed, { qos: 1 });

  const onAnnounce = (topic: string, payload: Buffer) => {
    const t = parseTopic(topic);
    if (t?.kind !== 'provision') return;
    const again = pending.get(t.claimId);
    if (again) {
      log.info({ claimId: t.claimId, deviceId: again.deviceId }, 'credentials sent again');
      sendCredentials(t.claimId, again.sealed).catch((err: unknown) =>
        log.warn({ err, claimId: t.claimId }, 'could not send credentials'),
      );
      return;
    }
    if (challenges.resend(t.claimId)) log.info({ claimId: t.claimId }, 'challenge sent again');
    const a = decodeJson(ProvisionAnnounceSchema, payload, PAYLOAD_LIMITS.provision);
    if (!a.ok)
      return log.warn({ claimId: t.claimId, code: a.error.code }, `announcement refused: ${a.error.message}`);
    const now = ctx.clock.now();
    const row = {
      model: a.value.model,
      firmware: a.value.firmware,
      capabilities: a.value.capabilities,
      lastSeenAt: now,
      expiresAt: now + CLAIM_TTL_MS,
    };
    if (discovered.seen(t.claimId, row)) {
      log.info({ claimId: t.claimId, model: row.model }, 'factory device waiting to be adopted');
      ctx.bus.emit('provision.discovered', { claimId: t.claimId, model: row.model });
    }
  };

  const app = new Hono<ApiEnv>();
  app.get('/', (c) => {
    requireRight(c, 'devices.adopt');
    return c.json({ discovered: discovered.list() });
  });
  app.post('/:claim/adopt', async (c) => {
    requireRight(c, 'devices.adopt');
    const claimId = c.req.param('claim');
    const body = await readJson(c, AdoptBodySchema);
    const row = isClaimId(claimId) ? discovered.get(claimId) : undefined;
    if (!row)
      throw new HearthError(
        'not_found',
        `no device waiting for adoption with claim ${claimId} (it may have expired)`,
      );
    const code = normalizeSetupCode(body.setupCode) as string;
    // Nothing is created until the device has proven the code.
    const nonces = await challenges.prove(claimId, code);
    if (pending.has(claimId)) throw new HearthError('conflict', `claim ${claimId} is already adopted`);
    const { device, secret } = ctx.registry.create({
      name: body.name,
      model: row.model,
      room: body.room ?? null,
    });
    const sealed = sealCredentials(ctx.trust, claimId, code, nonces, {
      deviceId: device.id,
      secret,
      name: body.name,
    });
    pending.set(claimId, { deviceId: device.id, sealed, until: ctx.clock.now() + CREDENTIALS_RESEND_MS });
    discovered.remove(claimId);
    ctx.repos.audit.record(`token:${c.get('auth').tokenId}`, 'device.adopt', device.id, { claimId });
    await sendCredentials(claimId, sealed);
    ctx.bus.emit('provision.adopted', { claimId, deviceId: device.id });
    return c.json({ device }, 201);
  });

  return {
    name: 'provisioning',
    apiModules: [
      {
        basePath: '/api/v1/discovered',
        app,
        openapi: discoveredOpenApi(),
      },
    ],
    async start() {
      unsubscribe = await ctx.messaging.subscribe(allProvisionTopic('announce'), onAnnounce);
      unsubscribeProofs = await challenges.start();
      // Used: the adopted device connected with its credentials, so they are not sent again.
      unlisten = ctx.bus.on('device.availability', 'provisioning', ({ deviceId, online }) => {
        if (!online) return;
        for (const [claim, p] of pending) if (p.deviceId === deviceId) pending.delete(claim);
      });
      timer = setInterval(() => {
        const now = ctx.clock.now();
        discovered.removeExpired(now);
        for (const [claim, p] of pending) if (p.until < now) pending.delete(claim);
      }, 30_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      unlisten?.();
      challenges.stop();
      await unsubscribe?.();
      await unsubscribeProofs?.();
    },
  };
}

// Parsed with the device's own schema: what is sealed is exactly what a device accepts. With the
// credentials go the hub CA and TLS port: an adopted device talks TLS from then on.
function sealCredentials(
  trust: CoreContext['trust'],
  claimId: string,
  code: string,
  nonces: { hubNonce: string; deviceNonce: string },
  c: ProvisionCredentials,
): string {
  const tlsPort = trust?.mqttTlsPort() ?? 0;
  const tls = trust && tlsPort > 0 ? { tls: { ca: trust.caPem, port: tlsPort } } : {};
  const plain = JSON.stringify(ProvisionCredentialsSchema.parse({ ...c, ...tls }));
  const sealed = sealForDevice(code, claimId, nonces.hubNonce, nonces.deviceNonce, plain);
  return JSON.stringify(ProvisionSealedSchema.parse({ ...nonces, sealed }));
}
