// The rules of acl.ts written as mosquitto dynamic-security roles. The dynsec plugin of mosquitto
// 2.0 matches ACL topics with no %c/%u substitution (that came in 2.1), so "its own topics" means a
// role naming them: one per Hearth client. A device's own role holds only its 8 topics; what every
// device shares (the hub's topics, receiving what it was allowed to subscribe to, the deny-all) is
// one role, `hearth-devices`, checked after it. mosquitto keeps every ACL as an object and writes
// its whole JSON file at each change, so its memory grows with the number of ACLs. Every client
// ends in a deny-all, so what it may do does not depend on the broker's default ACL access.
import {
  DEVICE_ID_PATTERN,
  DEVICE_PUBLISH_CHANNELS,
  DEVICE_SUBSCRIBE_CHANNELS,
  deviceTopic,
  HUB_WILDCARD,
  hubTopic,
  TOPIC_ROOT,
} from '../../../shared/topics.js';
import { canSeeDevice, type Role, seesAllDevices } from '../../core/rights.js';
import { NOT_FOR_INTEGRATIONS, READABLE_BY_USERS } from '../acl.js';

export type AclType =
  | 'publishClientSend'
  | 'publishClientReceive'
  | 'subscribeLiteral'
  | 'subscribePattern'
  | 'unsubscribeLiteral'
  | 'unsubscribePattern';

export interface DynsecAcl {
  acltype: AclType;
  topic: string;
  priority: number;
  allow: boolean;
}

export interface DynsecRole {
  rolename: string;
  acls: DynsecAcl[];
}

/** Everything Hearth creates in mosquitto carries this prefix (roles) or description (clients). */
export const HEARTH_ROLE_PREFIX = 'hearth-';
export const HEARTH_CLIENT_TAG = 'hearth';
export const HUB_ROLE = `${HEARTH_ROLE_PREFIX}hub`;
export const DEVICES_ROLE = `${HEARTH_ROLE_PREFIX}devices`;
/** A client's own role is checked before the shared ones (whose deny-all would end the check). */
export const OWN_ROLE_PRIORITY = 10;
export const SHARED_ROLE_PRIORITY = -10;

const allow = (acltype: AclType, topic: string): DynsecAcl => ({ acltype, topic, priority: 10, allow: true });
const deny = (acltype: AclType, topic: string, priority = 20): DynsecAcl => ({
  acltype,
  topic,
  priority,
  allow: false,
});
const DENY_REST: DynsecAcl[] = [deny('publishClientSend', '#', -100), deny('subscribePattern', '#', -100)];
const HUB_FILTERS = [HUB_WILDCARD, hubTopic('status'), hubTopic('time')];

export const deviceRoleName = (deviceId: string) => `${HEARTH_ROLE_PREFIX}device-${deviceId}`;
export const tokenRoleName = (tokenId: string) => `${HEARTH_ROLE_PREFIX}token-${tokenId}`;
export const integrationRoleName = (name: string) => `${HEARTH_ROLE_PREFIX}mqtt-user-${name}`;
/** Token users connect as `token-<id>` with the token as password (dynsec has one password per name). */
export const tokenUsername = (tokenId: string) => `token-${tokenId}`;

/**
 * The hub's own admin client: everything under hearth/, as the embedded broker lets it in-process,
 * and under the Home Assistant discovery prefix (it reads foreign devices' configs there and
 * announces its own).
 */
export function hubRole(discoveryPrefix = 'homeassistant'): DynsecRole {
  return {
    rolename: HUB_ROLE,
    acls: [`${TOPIC_ROOT}/#`, `${discoveryPrefix}/#`].flatMap((root) => [
      allow('publishClientSend', root),
      allow('publishClientReceive', root),
      allow('subscribePattern', root),
    ]),
  };
}

/** A device publishes only its own reports and subscribes only to its own commands (and, by DEVICES_ROLE, the hub's topics). */
export function deviceRole(deviceId: string): DynsecRole {
  return {
    rolename: deviceRoleName(deviceId),
    acls: [
      ...DEVICE_PUBLISH_CHANNELS.map((c) => allow('publishClientSend', deviceTopic(deviceId, c))),
      ...DEVICE_SUBSCRIBE_CHANNELS.map((c) => allow('subscribeLiteral', deviceTopic(deviceId, c))),
    ],
  };
}

/**
 * What every device shares, after its own role: the hub's topics to subscribe to, and the deny-all.
 * It receives whatever it is subscribed to: its subscriptions are exactly what the roles allow.
 */
export function devicesRole(): DynsecRole {
  return {
    rolename: DEVICES_ROLE,
    acls: [
      ...HUB_FILTERS.map((f) => allow('subscribeLiteral', f)),
      allow('publishClientReceive', '#'),
      ...DENY_REST,
    ],
  };
}

/** A token user reads the reports of the devices its role may see, and publishes nothing. */
export function tokenRole(token: { id: string; role: Role; grants: string[] }): DynsecRole {
  const who = { role: token.role, grants: token.grants };
  const ids = seesAllDevices(who)
    ? ['+']
    : [...new Set(token.grants.map((g) => g.split(':')[0] ?? ''))].filter(
        (id) => DEVICE_ID_PATTERN.test(id) && canSeeDevice(who, id),
      );
  const readable = ids.flatMap((id) => READABLE_BY_USERS.map((c) => `${TOPIC_ROOT}/dev/${id}/${c}`));
  return {
    rolename: tokenRoleName(token.id),
    acls: [
      ...readable.flatMap((t) => [
        allow(t.includes('+') ? 'subscribePattern' : 'subscribeLiteral', t),
        allow('publishClientReceive', t),
      ]),
      ...HUB_FILTERS.map((f) => allow('subscribeLiteral', f)),
      allow('publishClientReceive', HUB_WILDCARD),
      ...DENY_REST,
    ],
  };
}

/** An integration publishes on its filters but never under Hearth's own topics; reads within its filters. */
export function integrationRole(user: { name: string; pub: string[]; sub: string[] }): DynsecRole {
  return {
    rolename: integrationRoleName(user.name),
    acls: [
      ...NOT_FOR_INTEGRATIONS.map((f) => deny('publishClientSend', f)),
      ...user.pub.map((f) => allow('publishClientSend', f)),
      ...user.sub.flatMap((f) => [allow('subscribePattern', f), allow('publishClientReceive', f)]),
      ...DENY_REST,
    ],
  };
}

/** The identity of an ACL entry, for comparing what mosquitto holds with what it should. */
export const aclKey = (a: DynsecAcl) => `${a.acltype} ${a.priority} ${a.allow ? '+' : '-'} ${a.topic}`;
