// API tokens: created by pairing or by the owner (`hearth tokens create`), stored hashed, revocable.
// A token is `<id>.<secret>`: the id finds the row, the secret is checked in constant time.
import { randomBytes } from 'node:crypto';
import { desc, eq, isNotNull } from 'drizzle-orm';
import { HearthError } from '../../shared/errors.js';
import type { AuthInfo } from '../api/route-module.js';
import type { Clock } from '../context.js';
import type { Store } from '../store/db.js';
import { tokens } from '../store/schema/index.js';
import { audit } from './audit.js';
import { generateSecret, hashSecret, verifySecret } from './secrets.js';

export const TOKEN_SCOPES = ['admin', 'control'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface TokenView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface TokenService {
  create(input: { name: string; scopes: TokenScope[]; actor: string }): { token: string; view: TokenView };
  list(): TokenView[];
  revoke(id: string, actor: string): TokenView;
  /** The token's identity, or null for unknown, malformed or revoked tokens. */
  verify(token: string): AuthInfo | null;
  count(): number;
  /**
   * Looks for tokens revoked by another process on the same file (`hearth tokens revoke`) and
   * treats them as revoked here too: cache cleared, `onRevoked` called once per token.
   */
  pollRevocations(): void;
}

/**
 * `onRevoked` is called once for every token revoked, here or (via pollRevocations) by another
 * process, so whoever holds sessions opened with it can end them.
 */
export function createTokenService(
  store: Store,
  clock: Clock,
  onRevoked: (tokenId: string) => void = () => undefined,
): TokenService {
  const { db } = store;
  // Verified tokens are cached by their full text so the hot path (every API call, every MQTT
  // connect of an integration) skips the hash. Revocation through this service clears the cache;
  // a revocation by the CLI on the same file is seen at the next pollRevocations.
  const CACHE_MS = 2000;
  const cache = new Map<string, { info: AuthInfo; at: number }>();
  const lastUsedWrites = new Map<string, number>();
  const revokedIds = () =>
    db
      .select({ id: tokens.id })
      .from(tokens)
      .where(isNotNull(tokens.revokedAt))
      .all()
      .map((r) => r.id);
  // Revocations already handled, so each is announced once.
  const knownRevoked = new Set(revokedIds());
  const forget = (id: string) => {
    for (const [text, entry] of cache) if (entry.info.tokenId === id) cache.delete(text);
    if (knownRevoked.has(id)) return;
    knownRevoked.add(id);
    onRevoked(id);
  };

  const toView = (row: typeof tokens.$inferSelect): TokenView => ({
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  });

  return {
    create({ name, scopes, actor }) {
      const id = randomBytes(6).toString('hex');
      const secret = generateSecret();
      const now = clock.now();
      db.insert(tokens)
        .values({ id, name, hash: hashSecret(secret), scopes, createdAt: now })
        .run();
      audit(store, clock, actor, 'token.create', id, { name, scopes });
      const view = { id, name, scopes, createdAt: now, lastUsedAt: null, revokedAt: null };
      return { token: `${id}.${secret}`, view };
    },
    list() {
      return db.select().from(tokens).orderBy(desc(tokens.createdAt)).all().map(toView);
    },
    revoke(id, actor) {
      const row = db.select().from(tokens).where(eq(tokens.id, id)).get();
      if (!row) throw new HearthError('not_found', `no token with id ${id}`);
      if (row.revokedAt === null) {
        db.update(tokens).set({ revokedAt: clock.now() }).where(eq(tokens.id, id)).run();
        audit(store, clock, actor, 'token.revoke', id);
      }
      forget(id);
      return toView({ ...row, revokedAt: row.revokedAt ?? clock.now() });
    },
    verify(token) {
      const cached = cache.get(token);
      if (cached && cached.at > clock.now() - CACHE_MS) return cached.info;
      cache.delete(token);
      const dot = token.indexOf('.');
      if (dot <= 0 || token.length > 200) return null;
      const id = token.slice(0, dot);
      const row = db.select().from(tokens).where(eq(tokens.id, id)).get();
      if (!row || row.revokedAt !== null || !verifySecret(token.slice(dot + 1), row.hash)) return null;
      const info: AuthInfo = { tokenId: row.id, name: row.name, scopes: row.scopes };
      const now = clock.now();
      if (cache.size > 1000) cache.clear();
      cache.set(token, { info, at: now });
      // Record use at most once a minute per token: a write per request would be waste.
      if ((lastUsedWrites.get(id) ?? 0) < now - 60_000) {
        lastUsedWrites.set(id, now);
        db.update(tokens).set({ lastUsedAt: now }).where(eq(tokens.id, id)).run();
      }
      return info;
    },
    count() {
      return db.select({ id: tokens.id }).from(tokens).all().length;
    },
    pollRevocations() {
      for (const id of revokedIds()) if (!knownRevoked.has(id)) forget(id);
    },
  };
}
