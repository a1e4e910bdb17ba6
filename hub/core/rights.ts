// Who may do what: the roles a token or paired phone carries, the grants that give a guest single
// devices and capabilities, and the one check every route, the event stream and the MQTT read view
// ask. Kept free of HTTP and MQTT types so the broker and the API share it.
import { z } from 'zod';
import { HearthError } from '../../shared/errors.js';
import { DEVICE_ID_PATTERN } from '../../shared/topics.js';

export const ROLES = ['admin', 'member', 'guest'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const RIGHTS = [
  'devices.read',
  'devices.command',
  'devices.edit',
  'devices.adopt',
  'devices.remove',
  'devices.firmware',
  'schedules.read',
  'schedules.write',
  'people.manage',
  'hub.manage',
] as const;
export type Right = (typeof RIGHTS)[number];

/** What each role may do; a guest's device rights are further limited to its grants. */
export const ROLE_RIGHTS: Record<Role, readonly Right[]> = {
  admin: RIGHTS,
  member: [
    'devices.read',
    'devices.command',
    'devices.edit',
    'devices.adopt',
    'schedules.read',
    'schedules.write',
  ],
  guest: ['devices.read', 'devices.command'],
};

/** The identity behind a token: who it is and what it may do. */
export interface AuthInfo {
  tokenId: string;
  name: string;
  role: Role;
  /** Only for guests, in string form: `feeder-1:feed`, `tv-1:*`, `tv-1:power,channel`. */
  grants: string[];
}

export interface Grant {
  deviceId: string;
  /** Capability names, or ['*'] for all of the device's capabilities. */
  capabilities: string[];
}

const CAPABILITY_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** Parses `device:cap[,cap…]` or `device:*`; throws invalid_payload naming what is wrong. */
export function parseGrant(text: string): Grant {
  const colon = text.indexOf(':');
  const deviceId = colon < 0 ? text : text.slice(0, colon);
  if (colon < 0 || !DEVICE_ID_PATTERN.test(deviceId))
    throw new HearthError(
      'invalid_payload',
      `grant "${text}" must be DEVICE:CAPABILITY[,CAPABILITY…] or DEVICE:* (e.g. feeder-1:feed)`,
    );
  const caps = text.slice(colon + 1).split(',');
  const all = caps.length === 1 && caps[0] === '*';
  if (!all && (caps.length === 0 || caps.some((c) => !CAPABILITY_NAME.test(c))))
    throw new HearthError(
      'invalid_payload',
      `grant "${text}": capabilities are lower-case names separated by commas, or *`,
    );
  return { deviceId, capabilities: all ? ['*'] : [...new Set(caps)].sort() };
}

export const formatGrant = (g: Grant): string => `${g.deviceId}:${g.capabilities.join(',')}`;

/** A grant in string form, checked (for API bodies). */
export const GrantSchema = z.string().refine(
  (s) => {
    try {
      parseGrant(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'a grant is DEVICE:CAPABILITY[,CAPABILITY…] or DEVICE:* (e.g. feeder-1:feed)' },
);

/**
 * Canonical grants for a role: parsed, merged per device, sorted. Grants are for guests only: any
 * for another role is refused, since that role already sees every device.
 */
export function normalizeGrants(role: Role, grants: readonly string[]): string[] {
  if (grants.length > 0 && role !== 'guest')
    throw new HearthError(
      'invalid_payload',
      `grants are only for guests: a ${role} already has every device (remove the grants or use role guest)`,
    );
  const byDevice = new Map<string, Set<string>>();
  for (const text of grants) {
    const g = parseGrant(text);
    const caps = byDevice.get(g.deviceId) ?? new Set<string>();
    for (const c of g.capabilities) caps.add(c);
    byDevice.set(g.deviceId, caps);
  }
  return [...byDevice.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([deviceId, caps]) =>
      formatGrant({ deviceId, capabilities: caps.has('*') ? ['*'] : [...caps].sort() }),
    );
}

export interface RightTarget {
  deviceId?: string;
  capability?: string;
}

type Who = Pick<AuthInfo, 'role' | 'grants'>;

const grantFor = (who: Who, deviceId: string): Grant | undefined => {
  for (const text of who.grants) {
    const g = parseGrant(text);
    if (g.deviceId === deviceId) return g;
  }
  return undefined;
};

/** Whether `who` holds `right`, on the device and capability named (guests need a grant for them). */
export function can(who: Who, right: Right, target: RightTarget = {}): boolean {
  if (!ROLE_RIGHTS[who.role].includes(right)) return false;
  if (who.role !== 'guest') return true;
  // A guest's rights are per device: without a device named it has only what it can list.
  if (target.deviceId === undefined) return right === 'devices.read';
  const grant = grantFor(who, target.deviceId);
  if (!grant) return false;
  if (right === 'devices.read' || target.capability === undefined) return right === 'devices.read';
  return grant.capabilities.includes('*') || grant.capabilities.includes(target.capability);
}

/** Whether `who` may see a device at all (lists, the event stream, the MQTT read view). */
export const canSeeDevice = (who: Who, deviceId: string): boolean => can(who, 'devices.read', { deviceId });

/** Whether `who` sees every device (so wildcards over device ids are fine). */
export const seesAllDevices = (who: Who): boolean => who.role !== 'guest';

/** Throws forbidden naming the right unless `who` holds it. */
export function checkRight(who: Who, right: Right, target: RightTarget = {}): void {
  if (can(who, right, target)) return;
  const on = target.deviceId
    ? ` on ${target.deviceId}${target.capability ? ` (capability ${target.capability})` : ''}`
    : '';
  throw new HearthError('forbidden', `this needs the right ${right}${on}, which a ${who.role} token lacks`, {
    right,
    ...(target.deviceId ? { deviceId: target.deviceId } : {}),
    ...(target.capability ? { capability: target.capability } : {}),
  });
}
