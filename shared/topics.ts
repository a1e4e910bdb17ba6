// Topic builders and parsers for the whole wire contract (README: MQTT contract). Every topic either side
// publishes or subscribes to is built here, so the two sides cannot drift apart.

export const TOPIC_ROOT = 'hearth';

/** Device ids: lower-case, digits and dashes, 1–63 characters, starting with a letter or digit. */
export const DEVICE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Claim ids of factory-fresh devices awaiting adoption. */
export const CLAIM_ID_PATTERN = /^[a-z0-9]{8,32}$/;

export const DEVICE_CHANNELS = [
  'info',
  'status',
  'state',
  'cmd',
  'ack',
  'event',
  'schedules',
  'ota',
] as const;
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number];

/** What a device itself may publish, and what it may subscribe to (the broker's ACL uses these). */
export const DEVICE_PUBLISH_CHANNELS = [
  'info',
  'status',
  'state',
  'ack',
  'event',
] as const satisfies readonly DeviceChannel[];
export const DEVICE_SUBSCRIBE_CHANNELS = [
  'cmd',
  'schedules',
  'ota',
] as const satisfies readonly DeviceChannel[];

export const HUB_CHANNELS = ['status', 'time'] as const;
export type HubChannel = (typeof HUB_CHANNELS)[number];

/** Provisioning: a factory device announces itself; the hub answers with credentials. */
/**
 * A factory device announces itself and answers the hub's challenge with a proof of its setup code
 * (`announce`, `proof`: the claim publishes); the hub sends the `challenge` and the sealed
 * `credentials` (the claim reads).
 */
export const PROVISION_CHANNELS = ['announce', 'credentials', 'challenge', 'proof'] as const;
export const CLAIM_PUBLISH_CHANNELS = ['announce', 'proof'] as const;
export const CLAIM_SUBSCRIBE_CHANNELS = ['credentials', 'challenge'] as const;
export type ProvisionChannel = (typeof PROVISION_CHANNELS)[number];

export type ParsedTopic =
  | { kind: 'device'; deviceId: string; channel: DeviceChannel }
  | { kind: 'hub'; channel: HubChannel }
  | { kind: 'provision'; claimId: string; channel: ProvisionChannel };

export function isDeviceId(value: string): boolean {
  return DEVICE_ID_PATTERN.test(value);
}

export function isClaimId(value: string): boolean {
  return CLAIM_ID_PATTERN.test(value);
}

function assertDeviceId(deviceId: string): void {
  if (!isDeviceId(deviceId)) throw new TypeError(`invalid device id ${JSON.stringify(deviceId)}`);
}

export function deviceTopic(deviceId: string, channel: DeviceChannel): string {
  assertDeviceId(deviceId);
  return `${TOPIC_ROOT}/dev/${deviceId}/${channel}`;
}

/** `hearth/dev/<id>/#`: everything of one device. */
export function deviceWildcard(deviceId: string): string {
  assertDeviceId(deviceId);
  return `${TOPIC_ROOT}/dev/${deviceId}/#`;
}

/** `hearth/dev/+/<channel>`: one channel of every device (the hub's subscriptions). */
export function allDevicesTopic(channel: DeviceChannel): string {
  return `${TOPIC_ROOT}/dev/+/${channel}`;
}

export function hubTopic(channel: HubChannel): string {
  return `${TOPIC_ROOT}/hub/${channel}`;
}

export const HUB_WILDCARD = `${TOPIC_ROOT}/hub/#`;

export function provisionTopic(claimId: string, channel: ProvisionChannel): string {
  if (!isClaimId(claimId)) throw new TypeError(`invalid claim id ${JSON.stringify(claimId)}`);
  return `${TOPIC_ROOT}/provision/${claimId}/${channel}`;
}

export function allProvisionTopic(channel: ProvisionChannel): string {
  return `${TOPIC_ROOT}/provision/+/${channel}`;
}

/** Parses a concrete topic (no wildcards). Anything outside the contract is `null`. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== TOPIC_ROOT) return null;
  if (parts[1] === 'dev' && parts.length === 4) {
    const [, , deviceId, channel] = parts as [string, string, string, string];
    if (!isDeviceId(deviceId) || !includes(DEVICE_CHANNELS, channel)) return null;
    return { kind: 'device', deviceId, channel };
  }
  if (parts[1] === 'hub' && parts.length === 3) {
    const channel = parts[2] as string;
    return includes(HUB_CHANNELS, channel) ? { kind: 'hub', channel } : null;
  }
  if (parts[1] === 'provision' && parts.length === 4) {
    const [, , claimId, channel] = parts as [string, string, string, string];
    if (!isClaimId(claimId) || !includes(PROVISION_CHANNELS, channel)) return null;
    return { kind: 'provision', claimId, channel };
  }
  return null;
}

function includes<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}
