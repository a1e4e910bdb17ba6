// Who may publish and subscribe to what: pure functions over an authenticated identity, so the
// rules read in one place and test without a broker. A device stays inside its own topics; an
// token user reads what its role and grants let it see; an integration user stays within its
// own filters; an unadopted factory device may only speak provisioning (announce and
// prove; read its challenge and sealed credentials).

import { filterCovers, isValidFilter, topicMatches } from '../../shared/topic-filters.js';
import {
  CLAIM_ID_PATTERN,
  CLAIM_PUBLISH_CHANNELS,
  CLAIM_SUBSCRIBE_CHANNELS,
  DEVICE_ID_PATTERN,
  DEVICE_PUBLISH_CHANNELS,
  DEVICE_SUBSCRIBE_CHANNELS,
  HUB_WILDCARD,
  parseTopic,
  TOPIC_ROOT,
} from '../../shared/topics.js';
import { canSeeDevice, type Role, seesAllDevices } from '../core/rights.js';

export type Identity =
  | { kind: 'device'; deviceId: string }
  | { kind: 'user'; tokenId: string; role: Role; grants: string[] }
  | { kind: 'claim'; claimId: string }
  | { kind: 'integration'; name: string; pub: string[]; sub: string[] };

/**
 * Topics only the hub writes (a device's cmd, schedules and ota; the hub's own; provisioning) and
 * the ones a device owns (its info, status, state, event, ack): an integration publishes on none.
 */
export const NOT_FOR_INTEGRATIONS = [
  `${TOPIC_ROOT}/dev/#`,
  `${TOPIC_ROOT}/hub/#`,
  `${TOPIC_ROOT}/provision/#`,
];

function integrationMayPublish(who: { pub: string[] }, topic: string): boolean {
  if (NOT_FOR_INTEGRATIONS.some((f) => topicMatches(f, topic))) return false;
  return who.pub.some((f) => topicMatches(f, topic));
}

export function canPublish(who: Identity, topic: string): boolean {
  if (who.kind === 'integration') return integrationMayPublish(who, topic);
  const t = parseTopic(topic);
  if (!t) return false;
  switch (who.kind) {
    case 'device':
      return (
        t.kind === 'device' &&
        t.deviceId === who.deviceId &&
        (DEVICE_PUBLISH_CHANNELS as readonly string[]).includes(t.channel)
      );
    case 'claim':
      return (
        t.kind === 'provision' &&
        t.claimId === who.claimId &&
        (CLAIM_PUBLISH_CHANNELS as readonly string[]).includes(t.channel)
      );
    case 'user':
      return false;
  }
}

export const READABLE_BY_USERS = ['info', 'status', 'state', 'event', 'ack'];

/** Subscriptions are filters: allow exactly the filters that cannot match anything forbidden. */
export function canSubscribe(who: Identity, filter: string): boolean {
  // An integration reads exactly within its subscribe filters.
  if (who.kind === 'integration')
    return isValidFilter(filter) && who.sub.some((f) => filterCovers(f, filter));
  if (filter === HUB_WILDCARD || filter === `${TOPIC_ROOT}/hub/status` || filter === `${TOPIC_ROOT}/hub/time`)
    return true;
  const parts = filter.split('/');
  switch (who.kind) {
    case 'device':
      return (
        parts.length === 4 &&
        parts[0] === TOPIC_ROOT &&
        parts[1] === 'dev' &&
        parts[2] === who.deviceId &&
        (DEVICE_SUBSCRIBE_CHANNELS as readonly string[]).includes(parts[3] as string)
      );
    case 'claim':
      return CLAIM_SUBSCRIBE_CHANNELS.some((c) => filter === `${TOPIC_ROOT}/provision/${who.claimId}/${c}`);
    case 'user': {
      // hearth/dev/<id or +>/<readable channel> are read-only views; hearth/dev/# is not (it
      // would include cmd/schedules/ota). `+` over devices only for those who see every device.
      if (parts.length !== 4 || parts[0] !== TOPIC_ROOT || parts[1] !== 'dev') return false;
      const [, , id, channel] = parts as [string, string, string, string];
      const idOk = id === '+' ? seesAllDevices(who) : DEVICE_ID_PATTERN.test(id) && canSeeDevice(who, id);
      return idOk && READABLE_BY_USERS.includes(channel);
    }
  }
}

/** Anonymous factory devices connect as `claim-<claimId>`. */
export function claimIdOf(clientId: string): string | null {
  if (!clientId.startsWith('claim-')) return null;
  const claimId = clientId.slice('claim-'.length);
  return CLAIM_ID_PATTERN.test(claimId) ? claimId : null;
}
