// Integration users on MQTT: a name, a generated password stored hashed like a device secret, and
// the filters it may publish on and subscribe within. Removing one ends its sessions at once, here
// or (through pollChanges) when another process on the same data directory removed it.
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { HearthError } from '../../shared/errors.js';
import { isValidFilter } from '../../shared/topic-filters.js';
import { generateSecret, hashSecret, verifySecret } from '../core/secrets.js';
import type { Clock } from '../infra/clock.js';
import { createAuditLog } from '../store/audit-log.js';
import type { Store } from '../store/db.js';
import { mqttUsers } from '../store/schema/index.js';

const FilterSchema = z
  .string()
  .refine(isValidFilter, { message: 'an MQTT filter: levels split by /, + a whole level, # only last' });
export const MqttUserInputSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a name is lower-case letters, digits, - or _ (up to 32)')
    .refine((n) => n !== 'token', { message: '"token" is the username token users connect with' }),
  pub: z.array(FilterSchema).max(32).default([]),
  sub: z.array(FilterSchema).max(32).default([]),
});
export type MqttUserInput = z.input<typeof MqttUserInputSchema>;

export const MqttUserViewSchema = z.object({
  name: z.string(),
  pub: z.array(z.string()),
  sub: z.array(z.string()),
  createdAt: z.number(),
});
export type MqttUserView = z.infer<typeof MqttUserViewSchema>;

export interface MqttUserService {
  /** Throws invalid_payload for a bad name or filter, conflict for a name in use. */
  add(input: MqttUserInput, actor: string): { password: string; user: MqttUserView };
  list(): MqttUserView[];
  remove(name: string, actor: string): MqttUserView;
  /** The user, if the password is its own. */
  verify(name: string, password: string): MqttUserView | null;
  /** Notices users removed by another process and calls onRemoved for them. */
  pollChanges(): void;
}

export function createMqttUserService(
  store: Store,
  clock: Clock,
  onRemoved: (name: string) => void = () => undefined,
): MqttUserService {
  const { db } = store;
  const auditLog = createAuditLog(store, clock);
  const toView = (r: typeof mqttUsers.$inferSelect): MqttUserView => ({
    name: r.name,
    pub: r.pub,
    sub: r.sub,
    createdAt: r.createdAt,
  });
  const names = () =>
    new Set(
      db
        .select({ name: mqttUsers.name })
        .from(mqttUsers)
        .all()
        .map((r) => r.name),
    );
  let known = names();
  return {
    add(input, actor) {
      const parsed = MqttUserInputSchema.safeParse(input);
      if (!parsed.success)
        throw new HearthError('invalid_payload', parsed.error.issues.map((i) => i.message).join('; '));
      const { name, pub, sub } = parsed.data;
      if (db.select().from(mqttUsers).where(eq(mqttUsers.name, name)).get())
        throw new HearthError('conflict', `an MQTT user named ${name} exists (remove it first)`);
      const password = generateSecret();
      const row = { name, secretHash: hashSecret(password), pub, sub, createdAt: clock.now() };
      db.insert(mqttUsers).values(row).run();
      known.add(name);
      auditLog.record(actor, 'mqtt-user.add', name, { pub, sub });
      return { password, user: toView(row) };
    },
    list() {
      return db.select().from(mqttUsers).orderBy(asc(mqttUsers.name)).all().map(toView);
    },
    remove(name, actor) {
      const row = db.select().from(mqttUsers).where(eq(mqttUsers.name, name)).get();
      if (!row) throw new HearthError('not_found', `no MQTT user named ${name}`);
      db.delete(mqttUsers).where(eq(mqttUsers.name, name)).run();
      known.delete(name);
      auditLog.record(actor, 'mqtt-user.remove', name);
      onRemoved(name);
      return toView(row);
    },
    verify(name, password) {
      const row = db.select().from(mqttUsers).where(eq(mqttUsers.name, name)).get();
      return row && verifySecret(password, row.secretHash) ? toView(row) : null;
    },
    pollChanges() {
      const now = names();
      for (const name of known) if (!now.has(name)) onRemoved(name);
      known = now;
    },
  };
}
