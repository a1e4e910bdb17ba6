// Factory-fresh devices waiting to be adopted: recorded from their announcements on
// hearth/provision/<claim>/announce (unadopted claims expire), listed at /api/v1/discovered, and
// adopted with POST /api/v1/discovered/:claim/adopt {setupCode}: the device first proves it holds
// the code on its label (adoption-challenge.ts), then the hub registers it and hands it its
// credentials sealed under a key from that code and both nonces — whoever else reads the claim's
// topics gets ciphertext. A device that missed them (it rebooted, it was not subscribed yet)
// announces again, and gets them again, until it first connects with them (or a day has passed).
import { eq, lt } from 'drizzle-orm';
import { Hono } from 'hono';
import { z } from 'zod';
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
import { errors, jsonResponse, op, pathParam } from '../api/openapi-helpers.js';
import { type ApiEnv, type ApiUnit, readJson, requireRight } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import { discovered } from '../store/schema/index.js';
import { ATTEMPTS_PER_MINUTE, createAdoptionChallenges, PROOF_WAIT_MS } from './adoption-challenge.js';

export const CLAIM_TTL_MS = 10 * 60_000;
/** How long credentials of an adopted device that has not connected yet are re-sent. */
export const CREDENTIALS_RESEND_MS = 24 * 3600_000;

const DiscoveredSchema = z.object({
  claimId: z.string(),
  model: z.string(),
  firmware: z.string(),
  capabilities: z.array(z.unknown()),
  firstSeenAt: z.number(),
  lastSeenAt: z.number(),
  expiresAt: z.number(),
});
const AdoptBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  room: z.string().trim().min(1).max(64).nullable().optional(),
  setupCode: z
    .string()
    .max(64)
    .refine((s) => normalizeSetupCode(s) !== null, {
      message: 'the setup code is the 16 letters and digits (A-Z, 2-7) on the device label',
    })
    .describe('the setup code on the device label (any case; spaces and dashes ignored)'),
});

export function createProvisioning(ctx: CoreContext): ApiUnit {
  const log = ctx.log.child({ module: 'provisioning' });
  const { db } = ctx.store;
  /** Adopted claims whose device has not connected yet: the sealed credentials, and until when. */
  const pending = new Map<string, { deviceId: string; sealed: string; until: number }>();
  const challenges = createAdoptionChallenges(ctx, log);
  let unsubscribeProofs: (() => Promise<void>) | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;
  let unlisten: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  // Parsed with the device's own schema: what is sealed is exactly what a device accepts. With the
  // credentials go the hub CA and TLS port: an adopted device talks TLS from then on.
  const seal = (
    claimId: string,
    code: string,
    nonces: { hubNonce: string; deviceNonce: string },
    c: ProvisionCredentials,
  ) => {
    const tlsPort = ctx.trust?.mqttTlsPort() ?? 0;
    const tls = ctx.trust && tlsPort > 0 ? { tls: { ca: ctx.trust.caPem, port: tlsPort } } : {};
    const plain = JSON.stringify(ProvisionCredentialsSchema.parse({ ...c, ...tls }));
    const sealed = sealForDevice(code, claimId, nonces.hubNonce, nonces.deviceNonce, plain);
    return JSON.stringify(ProvisionSealedSchema.parse({ ...nonces, sealed }));
  };
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
    const known = db.select().from(discovered).where(eq(discovered.claimId, t.claimId)).get();
    if (known) db.update(discovered).set(row).where(eq(discovered.claimId, t.claimId)).run();
    else {
      db.insert(discovered)
        .values({ claimId: t.claimId, firstSeenAt: now, ...row })
        .run();
      log.info({ claimId: t.claimId, model: row.model }, 'factory device waiting to be adopted');
      ctx.bus.emit('provision.discovered', { claimId: t.claimId, model: row.model });
    }
  };

  const app = new Hono<ApiEnv>();
  app.get('/', (c) => {
    requireRight(c, 'devices.adopt');
    return c.json({ discovered: db.select().from(discovered).all() });
  });
  app.post('/:claim/adopt', async (c) => {
    requireRight(c, 'devices.adopt');
    const claimId = c.req.param('claim');
    const body = await readJson(c, AdoptBodySchema);
    const row = isClaimId(claimId)
      ? db.select().from(discovered).where(eq(discovered.claimId, claimId)).get()
      : undefined;
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
    const sealed = seal(claimId, code, nonces, { deviceId: device.id, secret, name: body.name });
    pending.set(claimId, { deviceId: device.id, sealed, until: ctx.clock.now() + CREDENTIALS_RESEND_MS });
    db.delete(discovered).where(eq(discovered.claimId, claimId)).run();
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
        openapi: {
          '/api/v1/discovered': {
            get: op(
              'Factory devices waiting to be adopted',
              'devices',
              {
                '200': jsonResponse('waiting devices', z.object({ discovered: z.array(DiscoveredSchema) })),
                ...errors(),
              },
              { right: 'devices.adopt' },
            ),
          },
          '/api/v1/discovered/{claim}/adopt': {
            post: op(
              `Adopt a factory device: it must prove the setup code on its label (the hub waits up to ${PROOF_WAIT_MS / 1000} s for it), then it is registered and sent its credentials sealed under that code`,
              'devices',
              {
                '201': jsonResponse('adopted', z.object({ device: z.record(z.string(), z.unknown()) })),
                ...errors(
                  [400, 'malformed JSON'],
                  [403, 'the device could not prove the setup code (forbidden)'],
                  [404, 'no such claim (not_found)'],
                  [409, 'the device did not answer (device_offline), or an adoption is under way (conflict)'],
                  [413, 'body too large'],
                  [422, 'invalid body'],
                  [429, `more than ${ATTEMPTS_PER_MINUTE} attempts a minute for this claim (rate_limited)`],
                ),
              },
              {
                parameters: [pathParam('claim', 'claim id the device announced')],
                body: AdoptBodySchema,
                right: 'devices.adopt',
              },
            ),
          },
        },
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
        db.delete(discovered).where(lt(discovered.expiresAt, now)).run();
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
