// The dynamic-security commands Hearth sends for its clients and roles, built in one place so the
// change-by-change sync and the whole-set reconcile write them the same way.
import type { DynsecCommand } from './dynsec-client.js';
import {
  aclKey,
  type DynsecAcl,
  type DynsecRole,
  HEARTH_CLIENT_TAG,
  OWN_ROLE_PRIORITY,
  SHARED_ROLE_PRIORITY,
} from './dynsec-roles.js';

/** A mosquitto client Hearth wants: its own role, then the shared roles it holds (by name). */
export interface Wanted {
  username: string;
  clientid?: string;
  role: DynsecRole;
  shared: string[];
  kind: 'device' | 'token' | 'mqtt-user';
}

export interface ClientRole {
  rolename: string;
  priority: number;
}

/** The roles a wanted client holds, in the order mosquitto must check them. */
export const clientRoles = (w: Wanted): ClientRole[] => [
  { rolename: w.role.rolename, priority: OWN_ROLE_PRIORITY },
  ...w.shared.map((rolename) => ({ rolename, priority: SHARED_ROLE_PRIORITY })),
];

export const NOT_FOUND = /not found/i;

export const createRole = (r: DynsecRole): DynsecCommand => ({
  command: 'createRole',
  rolename: r.rolename,
  acls: r.acls,
});
export const createClient = (w: Wanted, password: string): DynsecCommand => ({
  command: 'createClient',
  username: w.username,
  password,
  ...(w.clientid ? { clientid: w.clientid } : {}),
  textdescription: `${HEARTH_CLIENT_TAG} ${w.kind}`,
  roles: clientRoles(w),
});
export const deleteClient = (username: string): DynsecCommand => ({ command: 'deleteClient', username });
export const deleteRole = (rolename: string): DynsecCommand => ({ command: 'deleteRole', rolename });
/** A Hearth client goes with its own role. */
export const deleteClientAndRole = (username: string, rolename: string): DynsecCommand[] => [
  deleteClient(username),
  deleteRole(rolename),
];

/** The commands that turn `have` ACLs into exactly `want`. */
export function aclChanges(rolename: string, have: DynsecAcl[], want: DynsecAcl[]): DynsecCommand[] {
  const wantKeys = new Set(want.map(aclKey));
  const haveKeys = new Set(have.map(aclKey));
  return [
    ...have
      .filter((a) => !wantKeys.has(aclKey(a)))
      .map((a) => ({ command: 'removeRoleACL', rolename, acltype: a.acltype, topic: a.topic })),
    ...want.filter((a) => !haveKeys.has(aclKey(a))).map((a) => ({ command: 'addRoleACL', rolename, ...a })),
  ];
}
