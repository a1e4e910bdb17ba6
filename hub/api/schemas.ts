// The HTTP API's request and response shapes. Requests are validated with these; the OpenAPI
// document is generated from the same schemas, so it cannot drift from what the API answers.
import { z } from 'zod';
import { CAPABILITY_NAMES, TWIN_POLICIES } from '../../shared/capabilities.js';
import { ERROR_CODES } from '../../shared/errors.js';
import { DEVICE_ID_PATTERN } from '../../shared/topics.js';
import { GrantSchema, RoleSchema } from '../security/rights.js';

const Scalar = z.union([z.boolean(), z.number(), z.string()]);

export const CapabilityDescriptorSchema = z.object({
  name: z.enum(CAPABILITY_NAMES as [string, ...string[]]),
  kind: z.enum(['setting', 'action', 'sensor', 'feature']),
  type: z.enum(['boolean', 'integer', 'number', 'enum', 'color', 'none']),
  label: z.string(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().optional(),
  unit: z.string().optional(),
  options: z.array(z.string()).optional(),
  params: z
    .record(
      z.string(),
      z.object({ type: z.literal('integer'), min: z.number(), max: z.number(), default: z.number() }),
    )
    .optional(),
  ha: z.string().nullable(),
  twin: z.enum(TWIN_POLICIES).optional(),
  open: z.boolean().optional(),
});

export const DeviceViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  room: z.string().nullable(),
  model: z.string(),
  firmware: z.string().nullable(),
  online: z.boolean(),
  lastSeenAt: z.number().nullable(),
  createdAt: z.number(),
  capabilities: z.array(CapabilityDescriptorSchema),
  reported: z.record(z.string(), z.unknown()),
  reportedSeq: z.number(),
  reportedAt: z.number().nullable(),
  desired: z.record(z.string(), z.unknown()),
  twin: z.object({
    converged: z.boolean(),
    delta: z.record(z.string(), z.unknown()),
    pending: z.array(z.string()),
    changedOnDevice: z.array(z.string()),
  }),
  schedulesVersion: z.number().nullable(),
  fault: z.string().nullable(),
});

export const CommandRecordSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  capability: z.string(),
  kind: z.enum(['setting', 'action']),
  value: Scalar.optional(),
  params: z.record(z.string(), z.number()).optional(),
  status: z.enum(['pending', 'sent', 'done', 'failed', 'expired']),
  source: z.string(),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).optional(),
  issuedAt: z.number(),
  expiresAt: z.number(),
  sentAt: z.number().nullable(),
  ackedAt: z.number().nullable(),
  occurrence: z.string().optional(),
});

const Name = z.string().trim().min(1).max(64);
const Room = z.string().trim().min(1).max(64).nullable();

export const CreateDeviceBodySchema = z.strictObject({
  name: Name,
  model: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'model names are lower-case letters, digits and dashes'),
  room: Room.optional(),
  id: z.string().regex(DEVICE_ID_PATTERN, 'device ids are a-z, 0-9 and -, 1 to 63 long').optional(),
});

export const CreateDeviceResponseSchema = z.object({
  device: DeviceViewSchema,
  secret: z.string(),
  mqtt: z.object({
    /** Plain MQTT; 0 when mqtt.plain is off. */
    port: z.number(),
    /** MQTT over TLS. */
    tlsPort: z.number(),
    /** The hub CA (PEM) the device verifies the hub with. */
    ca: z.string(),
  }),
});

export const PatchDeviceBodySchema = z
  .strictObject({ name: Name.optional(), room: Room.optional() })
  .refine((b) => b.name !== undefined || b.room !== undefined, { message: 'send name and/or room' });

export const CommandBodySchema = z.strictObject({
  capability: z.string().min(1).max(32),
  value: Scalar.optional(),
  params: z.record(z.string().max(32), z.unknown()).optional(),
  ttlMs: z.number().int().positive().optional(),
});

export const WaitQuerySchema = z.coerce.number().int().min(0).max(30_000);
/** The Idempotency-Key header of the command route. */
export const IdempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/);

export const PairBodySchema = z.strictObject({
  code: z.string().min(1).max(20),
  name: z.string().trim().min(1).max(64).optional(),
});
export const PairResponseSchema = z.object({ token: z.string(), tokenId: z.string() });

export const SessionSchema = z.object({
  tokenId: z.string(),
  name: z.string(),
  role: RoleSchema,
  grants: z.array(z.string()),
});

export const HubInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  apiVersion: z.literal(1),
  paired: z.boolean(),
  /** The HTTPS port (the app's home once the phone trusts the hub CA). */
  httpsPort: z.number().int(),
  /** SHA-256 of the hub CA, colon-separated hex, to compare with what the phone shows. */
  caFingerprint: z.string(),
  /**
   * Set when this request came in clear from another machine, where plain HTTP serves only first
   * contact: the secure app's address, to move to once the phone trusts the hub CA. Else null.
   */
  httpsUrl: z.string().nullable(),
  /** The caller's own session when it sent a valid token, else null. */
  session: SessionSchema.nullable(),
});

export const TokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: RoleSchema,
  grants: z.array(z.string()),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
});
/** A role and, for guests, grants such as `feeder-1:feed`, `tv-1:*` or `tv-1:power,channel`. */
const RightsFields = {
  role: RoleSchema,
  grants: z.array(GrantSchema).max(100).default([]),
};
export const CreateTokenBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  ...RightsFields,
});
export const PatchTokenBodySchema = z
  .strictObject({ role: RoleSchema.optional(), grants: z.array(GrantSchema).max(100).optional() })
  .refine((b) => b.role !== undefined || b.grants !== undefined, { message: 'give role, grants or both' });
export const CreatePairingCodeBodySchema = z.strictObject(RightsFields);
export const CreateTokenResponseSchema = z.object({ token: z.string(), tokenView: TokenViewSchema });

export const PairingCodeSchema = z.object({
  code: z.string(),
  url: z.string(),
  expiresAt: z.number(),
  role: RoleSchema,
  grants: z.array(z.string()),
});

export const HistoryEntrySchema = z.object({
  seq: z.number(),
  values: z.record(z.string(), z.unknown()),
  at: z.number(),
});
export const HistoryQuerySchema = z.object({
  since: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  components: z.record(
    z.string(),
    z.object({ ok: z.boolean(), detail: z.record(z.string(), z.unknown()).optional() }),
  ),
});
