// Whether a request may become a command, and the record it becomes: checked against the device's
// descriptors, its ttl bounded, its expiry counted from when the caller issued it.
import { randomBytes } from 'node:crypto';
import { validateRequest } from '../../../shared/capabilities.js';
import { HearthError } from '../../../shared/errors.js';
import type { CommandRecord, DeviceView } from '../../../shared/views.js';
import type { Config } from '../../infra/config.js';
import type { CommandRequest } from '../context.js';

const MAX_TTL_MS = 7 * 24 * 3600_000;

/**
 * The record a valid request becomes, at `now`; throws HearthError (unknown_capability,
 * unsupported, invalid_payload, out_of_range, expired) for one that may not be sent.
 */
export function admitCommand(
  device: DeviceView,
  request: CommandRequest,
  settings: Config['commands'],
  now: number,
): CommandRecord {
  const normalized = validateRequest(device.capabilities, request);
  if (
    request.ttlMs !== undefined &&
    (!Number.isInteger(request.ttlMs) || request.ttlMs < 1 || request.ttlMs > MAX_TTL_MS)
  )
    throw new HearthError('out_of_range', `ttlMs must be a whole number from 1 to ${MAX_TTL_MS}`);
  const kind = normalized.params !== undefined ? 'action' : 'setting';
  const ttl = request.ttlMs ?? (kind === 'action' ? settings.actionTtlMs : settings.settingTtlMs);
  const expiresAt = Math.min(request.issuedAt ?? now, now) + ttl;
  if (expiresAt <= now)
    throw new HearthError(
      'expired',
      `the command was issued ${now - (request.issuedAt ?? now)} ms ago and expired on its way`,
    );
  // A command for a device that is online is recorded as sent in the same commit that records it
  // (one commit per command instead of two); it leaves once that commit is durable. A hub that
  // dies in between re-sends it at start, as it does every command not yet acknowledged.
  const online = device.online;
  return {
    id: newCommandId(),
    deviceId: device.id,
    capability: normalized.capability,
    kind,
    ...(normalized.value !== undefined ? { value: normalized.value } : {}),
    ...(normalized.params !== undefined ? { params: normalized.params } : {}),
    status: online ? 'sent' : 'pending',
    source: request.source,
    issuedAt: now,
    expiresAt,
    sentAt: online ? now : null,
    ackedAt: null,
    ...(request.occurrence !== undefined ? { occurrence: request.occurrence } : {}),
  };
}

/** The digest that tells a repeated Idempotency-Key request from another request. */
export function idempotencyFields(request: CommandRequest): Record<string, unknown> {
  return {
    deviceId: request.deviceId,
    capability: request.capability,
    value: request.value,
    params: request.params,
    ttlMs: request.ttlMs,
    issuedAt: request.issuedAt,
  };
}

// Unique without a random syscall per command: a random per-process prefix (so ids never repeat
// across restarts) and a counter. Command ids are not secrets.
const idPrefix = randomBytes(6).toString('base64url');
let idCounter = 0;
function newCommandId(): string {
  idCounter += 1;
  return `${idPrefix}${idCounter.toString(36)}`;
}
