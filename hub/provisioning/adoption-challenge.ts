// The proof-of-possession step of adoption: before the hub registers a factory device it sends a
// challenge (its nonce) on the claim's `challenge` topic and waits for a proof on `proof` that only
// a holder of the setup code can compute. Attempts are rate limited per claim, so a wrong code
// typed (or guessed) again and again is refused before the device is even asked.
import type { Logger } from 'pino';
import { newNonce, verifyAdoptionProof } from '../../shared/adoption-crypto.js';
import { decodeJson } from '../../shared/decode.js';
import { HearthError } from '../../shared/errors.js';
import { PAYLOAD_LIMITS, ProvisionProofSchema } from '../../shared/payloads.js';
import { allProvisionTopic, parseTopic, provisionTopic } from '../../shared/topics.js';
import type { CoreContext } from '../core/context.js';

/** How long the hub waits for the device's proof (it may be reconnecting, or crowded off its id). */
export const PROOF_WAIT_MS = 15_000;
export const ATTEMPTS_PER_MINUTE = 5;
/**
 * After a proof that does not verify, how long a valid one may still come: anyone on the claim id
 * may answer, so an intruder's garbage does not refuse the owner while the real device answers.
 */
export const AFTER_BAD_PROOF_MS = 3000;

export interface Proven {
  hubNonce: string;
  deviceNonce: string;
}

interface Outstanding {
  code: string;
  hubNonce: string;
  settle: (result: Proven | HearthError) => void;
  /** Set at the first proof that does not verify: refuse when the grace ends. */
  refuseSoon?: NodeJS.Timeout;
}

export function createAdoptionChallenges(ctx: CoreContext, log: Logger) {
  const outstanding = new Map<string, Outstanding>();
  const attempts = new Map<string, number[]>();

  const sendChallenge = (claimId: string, hubNonce: string) =>
    ctx.messaging
      .publish(provisionTopic(claimId, 'challenge'), JSON.stringify({ hubNonce }), { qos: 1 })
      .catch((err: unknown) => log.warn({ err, claimId }, 'could not send the challenge'));

  /** Counts an attempt; refuses the sixth within a minute. */
  const limit = (claimId: string) => {
    const now = ctx.clock.now();
    const recent = (attempts.get(claimId) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= ATTEMPTS_PER_MINUTE) {
      const waitS = Math.ceil(((recent[0] as number) + 60_000 - now) / 1000);
      throw new HearthError(
        'rate_limited',
        `too many adoption attempts for claim ${claimId}: at most ${ATTEMPTS_PER_MINUTE} a minute; try again in ${waitS} s`,
      );
    }
    recent.push(now);
    attempts.set(claimId, recent);
  };

  const onProof = (topic: string, payload: Buffer) => {
    const t = parseTopic(topic);
    if (t?.kind !== 'provision') return;
    const o = outstanding.get(t.claimId);
    if (!o) return;
    const p = decodeJson(ProvisionProofSchema, payload, PAYLOAD_LIMITS.provision);
    if (!p.ok || p.value.hubNonce !== o.hubNonce) return; // an old challenge's answer, or noise
    if (verifyAdoptionProof(o.code, t.claimId, o.hubNonce, p.value.deviceNonce, p.value.proof))
      return o.settle({ hubNonce: o.hubNonce, deviceNonce: p.value.deviceNonce });
    log.warn({ claimId: t.claimId }, 'adoption proof does not match the setup code typed');
    o.refuseSoon ??= setTimeout(
      () =>
        o.settle(
          new HearthError('forbidden', 'the device could not prove the setup code; check the label', {
            claimId: t.claimId,
          }),
        ),
      AFTER_BAD_PROOF_MS,
    );
  };

  return {
    async start() {
      return ctx.messaging.subscribe(allProvisionTopic('proof'), onProof);
    },
    /** The claim announced again (it reconnected): it may have missed the challenge. */
    resend(claimId: string): boolean {
      const o = outstanding.get(claimId);
      if (o) sendChallenge(claimId, o.hubNonce);
      return o !== undefined;
    },
    /** Asks the device of `claimId` to prove `code` (canonical); resolves with both nonces. */
    async prove(claimId: string, code: string): Promise<Proven> {
      if (outstanding.has(claimId))
        throw new HearthError(
          'conflict',
          `an adoption of claim ${claimId} is already waiting for the device`,
        );
      limit(claimId);
      const hubNonce = newNonce();
      const result = await new Promise<Proven | HearthError>((resolve) => {
        const timer = setTimeout(
          () =>
            resolve(
              new HearthError(
                'device_offline',
                `the device of claim ${claimId} did not answer within ${PROOF_WAIT_MS / 1000} s; is it on and connected?`,
              ),
            ),
          PROOF_WAIT_MS,
        );
        const o: Outstanding = {
          code,
          hubNonce,
          settle: (r) => {
            clearTimeout(timer);
            clearTimeout(o.refuseSoon);
            resolve(r);
          },
        };
        outstanding.set(claimId, o);
        sendChallenge(claimId, hubNonce);
      });
      outstanding.delete(claimId);
      if (result instanceof HearthError) throw result;
      return result;
    },
    stop() {
      for (const o of outstanding.values()) o.settle(new HearthError('unavailable', 'the hub is stopping'));
    },
  };
}
