// API tokens: created by pairing or by the owner (`hearth tokens create`), stored hashed, each with
// a role and (for guests) grants that can be changed, and revocable.
// A token is `<id>.<secret>`: the id finds the row, the secret is checked in constant time.
import { randomBytes } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { HearthError } from '../../shared/errors.js';
import { type AuthInfo, normalizeGrants, type Role } from '../core/rights.js';
import { generateSecret, hashSecret, verifySecret } from '../core/secrets.js';
import type { Clock } from '../infra/clock.js';
import { createAuditLog } from '../store/audit-log.js';
import type { Store } from '../store/db.js';
import { tokens } from '../store/schema/index.js';

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  grants: string[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface TokenService {
  /** Throws invalid_payload for bad grants, or grants on a role other than guest. */
  create(input: { name: string; role: Role; grants?: readonly string[]; actor: string }): {
    token: string;
    view: TokenView;
  };
  list(): TokenView[];
  revoke(id: string, actor: string): TokenView;
  /** Changes a token's role and/or grants; its open sessions end at once (they reconnect with the new rights). */
  update(
    id: string,
    change: { role?: Role | undefined; grants?: readonly string[] | undefined },
    actor: string,
  ): TokenView;
  /** The token's identity, or null for unknown, malformed or revoked tokens. */
  verify(token: string): AuthInfo | null;
  count(): number;
  /**
   * Looks for tokens revoked or changed by another process on the same file (`hearth tokens
   * revoke`) and treats them as changed here too: cache cleared, `onChanged` called once per change.
   */
  pollChanges(): void;
}

/**
 * `onChanged` is called once for every token revoked or given other rights, here or (via
 * pollChanges) by another process, so whoever holds sessions opened with it can end them.
 */
export function createTokenService(
  store: Store,
  clock: Clock,
  onChanged: (tokenId: string) => void = () => undefined,
): TokenService {
  const { db } = store;
  const auditLog = createAuditLog(store, clock);
  // Verified tokens are cached by their full text so the hot path (every API call, every MQTT
  // connect of an integration) skips the hash. A change through this service clears the cache;
  // a change by the CLI on the same file is seen at the next pollChanges.
  const CACHE_MS = 2000;
  const cache = new Map<string, { info: AuthInfo; at: number }>();
  const lastUsedWrites = new Map<string, number>();
  const rightsOf = (row: { role: string; grants: string[]; revokedAt: number | null }) =>
    `${row.role}|${row.grants.join(' ')}|${row.revokedAt ?? ''}`;
  const readRights = () =>
    db
      .select({ id: tokens.id, role: tokens.role, grants: tokens.grants, revokedAt: tokens.revokedAt })
      .from(tokens)
      .all();
  // The rights last seen per token, so each change is announced once.
  const known = new Map(readRights().map((r) => [r.id, rightsOf(r)]));
  const changed = (id: string, rights: string) => {
    for (const [text, entry] of cache) if (entry.info.tokenId === id) cache.delete(text);
    if (known.get(id) === rights) return;
    known.set(id, rights);
    onChanged(id);
  };

  const toView = (row: typeof tokens.$inferSelect): TokenView => ({
    id: row.id,
    name: row.name,
    role: row.role,
    grants: row.grants,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  });
  const find = (id: string) => {
    const row = db.select().from(tokens).where(eq(tokens.id, id)).get();
    if (!row) throw new HearthError('not_found', `no token with id ${id}`);
    return row;
  };

  return {
    create({ name, role, grants = [], actor }) {
      const normal = normalizeGrants(role, grants);
      const id = randomBytes(6).toString('hex');
      const secret = generateSecret();
      const now = clock.now();
      db.insert(tokens)
        .values({ id, name, hash: hashSecret(secret), role, grants: normal, createdAt: now })
        .run();
      known.set(id, rightsOf({ role, grants: normal, revokedAt: null }));
      auditLog.record(actor, 'token.create', id, { name, role, grants: normal });
      const view = { id, name, role, grants: normal, createdAt: now, lastUsedAt: null, revokedAt: null };
      return { token: `${id}.${secret}`, view };
    },
    list() {
      return db.select().from(tokens).orderBy(desc(tokens.createdAt)).all().map(toView);
    },
    revoke(id, actor) {
      const row = find(id);
      const revokedAt = row.revokedAt ?? clock.now();
      if (row.revokedAt === null) {
        db.update(tokens).set({ revokedAt }).where(eq(tokens.id, id)).run();
        auditLog.record(actor, 'token.revoke', id);
      }
      const view = toView({ ...row, revokedAt });
      changed(id, rightsOf(view));
      return view;
    },
    update(id, change, actor) {
      const row = find(id);
      if (row.revokedAt !== null) throw new HearthError('conflict', `token ${id} is revoked`);
      const role = change.role ?? row.role;
      // A role other than guest has no grants: changing a guest to member drops them.
      const grants = normalizeGrants(role, change.grants ?? (role === 'guest' ? row.grants : []));
      db.update(tokens).set({ role, grants }).where(eq(tokens.id, id)).run();
      auditLog.record(actor, 'token.update', id, { role, grants });
      const view = toView({ ...row, role, grants });
      changed(id, rightsOf(view));
      return view;
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
      const info: AuthInfo = { tokenId: row.id, name: row.name, role: row.role, grants: row.grants };
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
    pollChanges() {
      for (const row of readRights()) {
        const rights = rightsOf(row);
        if (!known.has(row.id)) known.set(row.id, rights);
        else if (known.get(row.id) !== rights) changed(row.id, rights);
      }
    },
  };
}
