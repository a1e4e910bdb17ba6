// Pairing: the hub shows a one-time code (terminal, QR, or an already paired phone); a phone
// exchanges it for a long-lived token. The code is a secret a person types, so it is stored with
// scrypt (slow on purpose) and attempts are rate limited.
import { randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { HearthError } from '../../shared/errors.js';
import type { HubContext } from '../core/context.js';
import { normalizeGrants, type Role } from '../core/rights.js';
import { settings } from '../store/schema/index.js';
import { createTokenBucket } from './rate-limiter.js';
import type { TokenService } from './token-service.js';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;
const KEY = 'pairing.code';

interface StoredCode {
  salt: string;
  hash: string;
  expiresAt: number;
  /** What the phone that pairs with this code may do (codes stored before roles existed: admin). */
  role?: Role;
  grants?: string[];
}

export interface PairingService {
  /**
   * A fresh code for a phone of `role` (default admin: the code printed at start), replacing any
   * earlier one. Throws invalid_payload for bad grants or grants on a role other than guest.
   */
  newCode(options?: { ttlMs?: number; role?: Role; grants?: readonly string[] }): Promise<{
    code: string;
    expiresAt: number;
    role: Role;
    grants: string[];
  }>;
  /** Exchanges a code for a token; the code is then used up. */
  exchange(code: string, name: string): Promise<{ token: string; tokenId: string }>;
  hasActiveCode(): boolean;
}

export function createPairingService(ctx: HubContext, tokens: TokenService): PairingService {
  const { store, clock, config } = ctx;
  const log = ctx.log.child({ module: 'pairing' });
  const perMinute = config.pairing.attemptsPerMinute;
  const attempts = createTokenBucket(perMinute, perMinute / 60, () => clock.now());
  const failures = ctx.metrics.counter(
    'hearth_pairing_failures_total',
    'Refused pairing attempts, by reason',
  );

  const read = (): StoredCode | undefined =>
    store.db.select().from(settings).where(eq(settings.key, KEY)).get()?.value as StoredCode | undefined;

  return {
    async newCode({ ttlMs = 24 * 3600_000, role = 'admin', grants: given = [] } = {}) {
      const grants = normalizeGrants(role, given);
      const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
      const salt = randomBytes(16);
      const hash = await scrypt(code, salt, 32);
      const value: StoredCode = {
        salt: salt.toString('base64'),
        hash: hash.toString('base64'),
        expiresAt: clock.now() + ttlMs,
        role,
        grants,
      };
      store.db
        .insert(settings)
        .values({ key: KEY, value })
        .onConflictDoUpdate({ target: settings.key, set: { value } })
        .run();
      return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt: value.expiresAt, role, grants };
    },
    hasActiveCode() {
      const stored = read();
      return stored !== undefined && stored.expiresAt > clock.now();
    },
    async exchange(code, name) {
      if (!attempts.tryTake()) {
        failures.inc({ reason: 'rate_limited' });
        const wait = Math.ceil(attempts.waitMs() / 1000);
        throw new HearthError('rate_limited', `too many pairing attempts; try again in ${wait} s`, {
          retryAfterSeconds: wait,
        });
      }
      const stored = read();
      const digits = code.replace(/[\s-]/g, '');
      const fail = (reason: string) => {
        failures.inc({ reason });
        log.warn({ reason }, 'pairing refused');
        ctx.repos.audit.record('pairing', 'pair.refused', undefined, { reason });
        return new HearthError(
          'unauthorized',
          'that pairing code is not valid (it may have expired or been used)',
        );
      };
      if (!stored || stored.expiresAt <= clock.now() || !/^\d{8}$/.test(digits)) throw fail('invalid');
      const actual = await scrypt(digits, Buffer.from(stored.salt, 'base64'), 32);
      if (!timingSafeEqual(actual, Buffer.from(stored.hash, 'base64'))) throw fail('mismatch');
      store.db.delete(settings).where(eq(settings.key, KEY)).run();
      const { token, view } = tokens.create({
        name,
        role: stored.role ?? 'admin',
        grants: stored.grants ?? [],
        actor: 'pairing',
      });
      log.info({ tokenId: view.id, name, role: view.role }, 'phone paired');
      return { token, tokenId: view.id };
    },
  };
}
