// The whole-set reconcile at start: mosquitto's Hearth roles made exact, each Hearth client given
// exactly its role, clients and roles Hearth no longer knows deleted, and the identities with no
// mosquitto client named (their secret exists only as a hash, so they cannot be recreated).
import type { Logger } from '../../infra/log.js';
import type { DynsecClient, DynsecCommand } from './dynsec-client.js';
import {
  aclChanges,
  clientRoles,
  createRole,
  deleteClient,
  deleteRole,
  NOT_FOUND,
  type Wanted,
} from './dynsec-commands.js';
import {
  type DynsecAcl,
  type DynsecRole,
  HEARTH_CLIENT_TAG,
  HEARTH_ROLE_PREFIX,
  HUB_ROLE,
} from './dynsec-roles.js';

type ListedClient = {
  username: string;
  clientid?: string;
  textdescription?: string;
  /** mosquitto leaves out a priority of -1, its default. */
  roles?: { rolename: string; priority?: number }[];
};

export interface ReconcileResult {
  created: number;
  removed: number;
  missing: string[];
}

async function rolesNow(dynsec: DynsecClient): Promise<Map<string, DynsecAcl[]>> {
  const [r] = await dynsec.expectOk([{ command: 'listRoles', verbose: true, count: -1, offset: 0 }]);
  const roles = (r?.data as { roles?: { rolename: string; acls?: DynsecAcl[] }[] })?.roles ?? [];
  return new Map(
    roles.filter((x) => x.rolename.startsWith(HEARTH_ROLE_PREFIX)).map((x) => [x.rolename, x.acls ?? []]),
  );
}

async function clientsNow(dynsec: DynsecClient): Promise<ListedClient[]> {
  const [r] = await dynsec.expectOk([{ command: 'listClients', verbose: true, count: -1, offset: 0 }]);
  return ((r?.data as { clients?: ListedClient[] })?.clients ?? []).filter((c) =>
    c.textdescription?.startsWith(HEARTH_CLIENT_TAG),
  );
}

/**
 * What makes a listed Hearth client exactly the wanted one (or deletes it if nothing wants it): its
 * roles at their priorities (a role at another priority is taken off and given again).
 */
function clientFixes(c: ListedClient, w: Wanted | undefined): DynsecCommand[] {
  if (!w) return [deleteClient(c.username)];
  const fixes: DynsecCommand[] = [];
  const key = (r: { rolename: string; priority?: number }) => `${r.priority ?? -1} ${r.rolename}`;
  const want = clientRoles(w);
  const wantKeys = new Set(want.map(key));
  const have = c.roles ?? [];
  const haveKeys = new Set(have.map(key));
  for (const r of have)
    if (!wantKeys.has(key(r)))
      fixes.push({ command: 'removeClientRole', username: c.username, rolename: r.rolename });
  for (const r of want)
    if (!haveKeys.has(key(r))) fixes.push({ command: 'addClientRole', username: c.username, ...r });
  if ((w.clientid ?? '') !== (c.clientid ?? ''))
    fixes.push({ command: 'setClientId', username: c.username, clientid: w.clientid ?? '' });
  return fixes;
}

export async function reconcileDynsec(
  dynsec: DynsecClient,
  wanted: Wanted[],
  shared: DynsecRole[],
  log: Logger,
): Promise<ReconcileResult> {
  const roles = await rolesNow(dynsec);
  // Missing roles first, and the shared ones exact; an existing own role is narrowed only after its
  // client holds the shared roles again, so no client is ever left without its deny-all.
  const first: DynsecCommand[] = [];
  const narrow: DynsecCommand[] = [];
  for (const role of [...shared, ...wanted.map((w) => w.role)]) {
    const have = roles.get(role.rolename);
    if (!have) first.push(createRole(role));
    else (shared.includes(role) ? first : narrow).push(...aclChanges(role.rolename, have, role.acls));
  }
  await dynsec.expectOk(first);
  const byName = new Map(wanted.map((w) => [w.username, w]));
  const listed = await clientsNow(dynsec);
  const present = new Set(listed.map((c) => c.username));
  const fixes: DynsecCommand[] = [];
  let removed = 0;
  for (const c of listed) {
    const w = byName.get(c.username);
    if (!w) removed += 1;
    fixes.push(...clientFixes(c, w));
  }
  const wantedRoles = new Set([...shared, ...wanted.map((w) => w.role)].map((r) => r.rolename));
  for (const rolename of roles.keys())
    if (rolename !== HUB_ROLE && !wantedRoles.has(rolename)) fixes.push(deleteRole(rolename));
  await dynsec.expectOk(fixes, NOT_FOUND);
  await dynsec.expectOk(narrow);
  const missing = wanted.filter((w) => !present.has(w.username)).map((w) => w.username);
  if (missing.length > 0)
    log.warn(
      { missing: missing.slice(0, 20), count: missing.length },
      'Hearth clients with no mosquitto credential (registered before mosquitto mode?): register them again',
    );
  log.info(
    { clients: wanted.length, removed, missing: missing.length },
    'mosquitto dynamic security reconciled',
  );
  return { created: 0, removed, missing };
}
