// Factory-fresh devices that announced themselves and wait to be adopted, until their claim expires.
import { eq, lt } from 'drizzle-orm';
import type { Store } from './db.js';
import { discovered } from './schema/index.js';

export type DiscoveredRow = typeof discovered.$inferSelect;

export interface DiscoveredRepository {
  list(): DiscoveredRow[];
  get(claimId: string): DiscoveredRow | undefined;
  /** Records an announcement; true when the claim is new. */
  seen(claimId: string, row: Omit<DiscoveredRow, 'claimId' | 'firstSeenAt'>): boolean;
  remove(claimId: string): void;
  removeExpired(now: number): void;
}

export function createDiscoveredRepository(store: Store): DiscoveredRepository {
  const { db } = store;
  const get = (claimId: string) => db.select().from(discovered).where(eq(discovered.claimId, claimId)).get();
  return {
    list: () => db.select().from(discovered).all(),
    get,
    seen(claimId, row) {
      if (get(claimId)) {
        db.update(discovered).set(row).where(eq(discovered.claimId, claimId)).run();
        return false;
      }
      db.insert(discovered)
        .values({ claimId, firstSeenAt: row.lastSeenAt, ...row })
        .run();
      return true;
    },
    remove(claimId) {
      db.delete(discovered).where(eq(discovered.claimId, claimId)).run();
    },
    removeExpired(now) {
      db.delete(discovered).where(lt(discovered.expiresAt, now)).run();
    },
  };
}
