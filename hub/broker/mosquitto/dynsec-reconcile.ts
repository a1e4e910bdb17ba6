// The whole-set reconcile at start: mosquitto's Hearth roles made exact, each Hearth client given
// exactly its role, clients and roles Hearth no longer knows deleted, and the identities with no
// mosquitto client named (their secret exists only as a hash, so they cannot be recreated).
import type { Logger } from '../../infra/log.js';
import type { DynsecClient, DynsecCommand } from './dynsec-client.js';
import {
  aclChanges,
  createRole,
  deleteClient,
  deleteRole,
  NOT_FOUND,
  type Wanted,
} from './dynsec-commands.js';
import { type DynsecAcl, HEARTH_CLIENT_TAG, HEARTH_ROLE_PREFIX, HUB_ROLE } from './dynsec-roles.js';

type ListedClient = {
  username: string;
  clientid?: string;
  textdescription?: string;
  roles?: { rolename: string }[];
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

/** What makes a listed Hearth client exactly the wanted one (or deletes it if nothing wants it). */
function clientFixes(c: ListedClient, w: Wanted | undefined): DynsecCommand[] {
  if (!w) return [deleteClient(c.username)];
  const fixes: DynsecCommand[] = [];
  const names = (c.roles ?? []).map((r) => r.rolename);
  for (const n of names)
    if (n !== w.role.rolename) fixes.push({ command: 'removeClientRole', username: c.username, rolename: n });
  if (!names.includes(w.role.rolename))
    fixes.push({ command: 'addClientRole', username: c.username, rolename: w.role.rolename });
  if ((w.clientid ?? '') !== (c.clientid ?? ''))
    fixes.push({ command: 'setClientId', username: c.username, clientid: w.clientid ?? '' });
  return fixes;
}

export async function reconcileDynsec(
  dynsec: DynsecClient,
  wanted: Wanted[],
  log: Logger,
): Promise<ReconcileResult> {
  const roles = await rolesNow(dynsec);
  const commands: DynsecCommand[] = [];
  for (const w of wanted) {
    const have = roles.get(w.role.rolename);
    commands.push(...(have ? aclChanges(w.role.rolename, have, w.role.acls) : [createRole(w.role)]));
  }
  await dynsec.expectOk(commands);
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
  const wantedRoles = new Set(wanted.map((w) => w.role.rolename));
  for (const rolename of roles.keys())
    if (rolename !== HUB_ROLE && !wantedRoles.has(rolename)) fixes.push(deleteRole(rolename));
  await dynsec.expectOk(fixes, NOT_FOUND);
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
