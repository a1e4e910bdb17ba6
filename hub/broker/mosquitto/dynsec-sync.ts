// Keeps mosquitto's dynamic-security clients and roles exactly in step with Hearth's own: a client
// and a role per device, token and integration user. At start it reconciles the whole set (roles
// made exact, clients given exactly their role, Hearth clients Hearth no longer knows deleted);
// afterwards each change is applied as it happens. Deleting or disabling a client in dynsec ends
// its sessions at once (mosquitto_kick_client_by_username), which is how removal and revocation
// cut a client off.
//
// mosquitto takes a password only in clear over this API (it stores its own PBKDF2 hash); the hub
// keeps salted SHA-256 hashes of its secrets, so a client is created when its secret exists in the
// clear: at registration, adoption, token creation, MQTT-user creation. A Hearth identity with no
// mosquitto client (registered in embedded mode, or mosquitto's file lost) cannot be restored from
// a hash: reconcile counts and names it; re-register it (or re-create the token or user).
import type { Logger } from '../../infra/log.js';
import type { MqttUserView } from '../../security/mqtt-users.js';
import type { TokenView } from '../../security/token-service.js';
import type { DynsecClient } from './dynsec-client.js';
import {
  aclChanges,
  clientRoles,
  createClient,
  createRole,
  deleteClientAndRole,
  NOT_FOUND,
  type Wanted,
} from './dynsec-commands.js';
import { reconcileDynsec } from './dynsec-reconcile.js';
import {
  DEVICES_ROLE,
  type DynsecAcl,
  type DynsecRole,
  deviceRole,
  devicesRole,
  integrationRole,
  tokenRole,
  tokenUsername,
} from './dynsec-roles.js';

export interface SyncSources {
  deviceIds(): string[];
  tokens(): TokenView[];
  mqttUsers(): MqttUserView[];
}

export interface DynsecSync {
  reconcile(): Promise<{ created: number; removed: number; missing: string[] }>;
  addDevice(deviceId: string, secret: string): Promise<void>;
  removeDevice(deviceId: string): Promise<void>;
  addToken(view: TokenView, token: string): Promise<void>;
  /** A token revoked (deleted from mosquitto) or given other rights (role rewritten, sessions ended). */
  tokenChanged(tokenId: string): Promise<void>;
  addMqttUser(user: MqttUserView, password: string): Promise<void>;
  removeMqttUser(name: string): Promise<void>;
  /** Resolves when every change so far has reached mosquitto. */
  settled(): Promise<void>;
  missing(): string[];
}

/** The roles several clients hold, written once each. */
const SHARED_ROLES: DynsecRole[] = [devicesRole()];

const wantedDevice = (id: string): Wanted => ({
  username: id,
  clientid: id,
  role: deviceRole(id),
  shared: [DEVICES_ROLE],
  kind: 'device',
});
const wantedToken = (t: TokenView): Wanted => ({
  username: tokenUsername(t.id),
  role: tokenRole(t),
  shared: [],
  kind: 'token',
});
const wantedUser = (u: MqttUserView): Wanted => ({
  username: u.name,
  role: integrationRole(u),
  shared: [],
  kind: 'mqtt-user',
});

export function createDynsecSync(dynsec: DynsecClient, sources: SyncSources, log: Logger): DynsecSync {
  let chain: Promise<unknown> = Promise.resolve();
  let missing: string[] = [];
  /** One change at a time, in order: a device added then removed is removed. */
  const queue = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work);
    chain = next.catch((err: unknown) => log.error({ err }, 'mosquitto dynamic-security change failed'));
    return next;
  };
  const wantedAll = (): Wanted[] => [
    ...sources.deviceIds().map(wantedDevice),
    ...sources
      .tokens()
      .filter((t) => t.revokedAt === null)
      .map(wantedToken),
    ...sources.mqttUsers().map(wantedUser),
  ];

  const writeRole = async (role: DynsecRole) => {
    const [r] = await dynsec.run([createRole(role)]);
    if (!r?.error) return;
    const [got] = await dynsec.expectOk([{ command: 'getRole', rolename: role.rolename }]);
    const have = (got?.data as { role?: { acls?: DynsecAcl[] } })?.role?.acls ?? [];
    await dynsec.expectOk(aclChanges(role.rolename, have, role.acls));
  };
  /** Shared roles are written once by this sync (a reconcile writes them too). */
  const sharedWritten = new Set<string>();
  const addClient = async (w: Wanted, password: string) => {
    for (const role of SHARED_ROLES)
      if (w.shared.includes(role.rolename) && !sharedWritten.has(role.rolename)) {
        await writeRole(role);
        sharedWritten.add(role.rolename);
      }
    await writeRole(w.role);
    const [r] = await dynsec.run([createClient(w, password)]);
    // Registered again under the same name: the new secret replaces the old (and ends its sessions).
    if (r?.error)
      await dynsec.expectOk(
        [
          { command: 'setClientPassword', username: w.username, password },
          ...clientRoles(w).map((role) => ({ command: 'addClientRole', username: w.username, ...role })),
        ],
        /already/i,
      );
    missing = missing.filter((m) => m !== w.username);
  };
  const removeClient = async (username: string, rolename: string) => {
    await dynsec.expectOk(deleteClientAndRole(username, rolename), NOT_FOUND);
  };

  async function reconcile() {
    const result = await reconcileDynsec(dynsec, wantedAll(), SHARED_ROLES, log);
    for (const role of SHARED_ROLES) sharedWritten.add(role.rolename);
    missing = result.missing;
    return result;
  }

  return {
    reconcile: () => queue(reconcile),
    addDevice: (id, secret) => queue(() => addClient(wantedDevice(id), secret)),
    removeDevice: (id) => queue(() => removeClient(id, deviceRole(id).rolename)),
    addToken: (view, token) => queue(() => addClient(wantedToken(view), token)),
    tokenChanged: (tokenId) =>
      queue(async () => {
        const t = sources.tokens().find((x) => x.id === tokenId);
        const role = tokenRole(t ?? { id: tokenId, role: 'guest', grants: [] });
        if (!t || t.revokedAt !== null)
          return void (await removeClient(tokenUsername(tokenId), role.rolename));
        await writeRole(role);
        // Its sessions end, as on the embedded broker: they reconnect with the new rights.
        const username = tokenUsername(tokenId);
        await dynsec.expectOk(
          [
            { command: 'disableClient', username },
            { command: 'enableClient', username },
          ],
          NOT_FOUND,
        );
      }),
    addMqttUser: (user, password) => queue(() => addClient(wantedUser(user), password)),
    removeMqttUser: (name) =>
      queue(() => removeClient(name, integrationRole({ name, pub: [], sub: [] }).rolename)),
    settled: () => chain.then(() => undefined),
    missing: () => missing,
  };
}
