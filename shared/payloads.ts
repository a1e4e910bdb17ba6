// zod schemas for every MQTT payload in the contract, with their size limits. Both sides validate
// what they receive with these and nothing else.
import { z } from 'zod';
import { CapabilityDeclarationSchema, CapabilityNameSchema } from './capabilities.js';
import { ERROR_CODES } from './errors.js';
import { DEVICE_ID_PATTERN } from './topics.js';

/** Largest payload accepted on any topic; `schedules` and `info` are the big ones. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
export const PAYLOAD_LIMITS = {
  info: 16 * 1024,
  state: 8 * 1024,
  cmd: 4 * 1024,
  ack: 4 * 1024,
  event: 8 * 1024,
  schedules: 64 * 1024,
  ota: 4 * 1024,
  hubTime: 1024,
  provision: 16 * 1024,
} as const;

/** Epoch milliseconds. */
const EpochMs = z.number().int().nonnegative().max(8.64e15);
export const DeviceIdSchema = z
  .string()
  .regex(DEVICE_ID_PATTERN, 'device ids are a-z, 0-9 and -, 1 to 63 long');
export const CommandIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'command ids are 1-64 of A-Z a-z 0-9 _ -');
const ScalarValue = z.union([z.boolean(), z.number().finite(), z.string().max(64)]);

/** `hearth/dev/<id>/status` and `hearth/hub/status`: plain text, as Home Assistant availability expects. */
export const AvailabilitySchema = z.enum(['online', 'offline']);
export type Availability = z.infer<typeof AvailabilitySchema>;

/** `hearth/dev/<id>/info` (retained). */
export const DeviceInfoSchema = z.strictObject({
  model: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  firmware: z.string().min(1).max(32),
  name: z.string().min(1).max(64).optional(),
  capabilities: z.array(CapabilityDeclarationSchema).min(1).max(32),
  /** The outcome of the last firmware offer this device acted on (kept across reboots). */
  update: z
    .strictObject({
      rollout: z.string().max(40),
      version: z.string().max(32),
      result: z.enum(['updated', 'rolled-back', 'refused']),
      reason: z.string().max(200).optional(),
      at: EpochMs,
    })
    .optional(),
});
export type DeviceInfo = z.infer<typeof DeviceInfoSchema>;

/** `hearth/dev/<id>/state` (retained): the full reported state; `seq` only grows per device. */
export const DeviceStateSchema = z.strictObject({
  seq: z.number().int().nonnegative(),
  ts: EpochMs,
  // partialRecord: in zod 4 a record keyed by an enum requires every key; a device reports only its own.
  values: z.partialRecord(CapabilityNameSchema, ScalarValue),
  /** The schedules version the device runs, for devices that keep schedules. */
  schedulesVersion: z.number().int().nonnegative().optional(),
  fault: z.string().max(64).optional(),
});
export type DeviceState = z.infer<typeof DeviceStateSchema>;

/** `hearth/dev/<id>/cmd`. A setting carries `value`, an action `params`. */
export const CommandSchema = z
  .strictObject({
    id: CommandIdSchema,
    capability: CapabilityNameSchema,
    value: ScalarValue.optional(),
    params: z.record(z.string().max(32), z.number().finite()).optional(),
    issuedAt: EpochMs,
    expiresAt: EpochMs,
    /** Set when a schedule issued the command: the occurrence it belongs to. */
    occurrence: z.string().max(128).optional(),
  })
  .refine((c) => c.expiresAt >= c.issuedAt, { message: 'expiresAt is before issuedAt' })
  .refine((c) => !(c.value !== undefined && c.params !== undefined), {
    message: 'send value or params, not both',
  });
export type Command = z.infer<typeof CommandSchema>;

export const ErrorBodySchema = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string().max(500),
  details: z.unknown().optional(),
});

/** `hearth/dev/<id>/ack`. */
export const AckSchema = z.discriminatedUnion('ok', [
  z.strictObject({ id: CommandIdSchema, ok: z.literal(true) }),
  z.strictObject({ id: CommandIdSchema, ok: z.literal(false), error: ErrorBodySchema }),
]);
export type Ack = z.infer<typeof AckSchema>;

/** `hearth/dev/<id>/event`: things that happened. */
export const DeviceEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('fed'),
    ts: EpochMs,
    portions: z.number().int().positive(),
    commandId: CommandIdSchema.optional(),
  }),
  z.strictObject({
    type: z.literal('schedule-ran'),
    ts: EpochMs,
    scheduleId: z.string().min(1).max(64),
    occurrence: z.string().min(1).max(128),
    ok: z.boolean(),
    late: z.number().int().nonnegative().optional(),
    error: ErrorBodySchema.optional(),
  }),
  z.strictObject({ type: z.literal('button'), ts: EpochMs, button: z.string().max(32) }),
  z.strictObject({ type: z.literal('contact'), ts: EpochMs, open: z.boolean() }),
  z.strictObject({
    type: z.literal('fault'),
    ts: EpochMs,
    fault: z.string().max(64),
    message: z.string().max(200),
  }),
  z.strictObject({
    type: z.literal('booted'),
    ts: EpochMs,
    firmware: z.string().max(32),
    slot: z.enum(['a', 'b']).optional(),
  }),
  /** A firmware offer's progress: downloading, resumed, written, updated, rolled-back, refused. */
  z.strictObject({
    type: z.literal('ota'),
    ts: EpochMs,
    rollout: z.string().max(40),
    version: z.string().max(32),
    phase: z.enum(['downloading', 'resumed', 'written', 'updated', 'rolled-back', 'refused']),
    detail: z.string().max(200).optional(),
  }),
]);
export type DeviceEvent = z.infer<typeof DeviceEventSchema>;

export const CatchUpSchema = z.union([
  z.strictObject({ policy: z.literal('skip') }),
  z.strictObject({
    policy: z.literal('run-once-if-late'),
    withinMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
  }),
]);
export type CatchUp = z.infer<typeof CatchUpSchema>;

/** One schedule as the device runs it. */
export const DeviceScheduleSchema = z.strictObject({
  id: z.string().min(1).max(64),
  cron: z.string().min(1).max(120).optional(),
  at: EpochMs.optional(),
  tz: z.string().min(1).max(64),
  enabled: z.boolean(),
  catchUp: CatchUpSchema,
  command: z.strictObject({
    capability: CapabilityNameSchema,
    value: ScalarValue.optional(),
    params: z.record(z.string().max(32), z.number().finite()).optional(),
  }),
});
export type DeviceSchedule = z.infer<typeof DeviceScheduleSchema>;

/** `hearth/dev/<id>/schedules` (retained). */
export const DeviceSchedulesSchema = z.strictObject({
  version: z.number().int().nonnegative(),
  schedules: z.array(DeviceScheduleSchema).max(100),
});
export type DeviceSchedules = z.infer<typeof DeviceSchedulesSchema>;

/**
 * `hearth/dev/<id>/ota`: a firmware offer. The device fetches `path` from the hub's HTTP port on
 * the host it reached the broker at, checks the file's SHA-256, then the image's own signature with
 * its release key. A downgrade needs `allowDowngrade`: the release key's signature of
 * downgradeStatement(model, version, sha256) (shared/release-key.ts).
 */
export const OtaOfferSchema = z.strictObject({
  rollout: z.string().regex(/^[a-z0-9-]{1,40}$/),
  model: DeviceInfoSchema.shape.model,
  version: z.string().min(1).max(16),
  path: z
    .string()
    .max(200)
    .regex(/^\/api\/v1\/firmware\/[A-Za-z0-9/_.-]+$/),
  httpPort: z.number().int().min(1).max(65535),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z
    .number()
    .int()
    .positive()
    .max(32 * 1024 * 1024),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
  allowDowngrade: z
    .string()
    .regex(/^[A-Za-z0-9_-]{86}$/)
    .optional(),
});
export type OtaOffer = z.infer<typeof OtaOfferSchema>;

/** `hearth/hub/time` (retained, republished every minute): wall-clock for devices with no NTP. */
export const HubTimeSchema = z.strictObject({ now: EpochMs, tz: z.string().max(64).optional() });
export type HubTime = z.infer<typeof HubTimeSchema>;

/** `hearth/provision/<claim>/announce`: a factory device says what it is. */
export const ProvisionAnnounceSchema = z.strictObject({
  model: DeviceInfoSchema.shape.model,
  firmware: DeviceInfoSchema.shape.firmware,
  capabilities: DeviceInfoSchema.shape.capabilities,
});
export type ProvisionAnnounce = z.infer<typeof ProvisionAnnounceSchema>;

/** A hub CA certificate in PEM, as a device keeps it to verify the hub. */
export const HubCaPemSchema = z
  .string()
  .max(8192)
  .regex(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n?$/, 'a PEM certificate');

/**
 * What the hub adopts the device with, as the device keeps it. It never travels in the clear: it is
 * the plaintext inside ProvisionSealedSchema.
 */
export const ProvisionCredentialsSchema = z.strictObject({
  deviceId: DeviceIdSchema,
  secret: z.string().min(16).max(128),
  name: z.string().min(1).max(64).optional(),
  /**
   * The hub's CA and MQTT-over-TLS port: an adopted device connects only over TLS from then on.
   * `host` is filled in by the device: the hub address it was adopted through.
   */
  tls: z
    .strictObject({
      ca: HubCaPemSchema,
      port: z.number().int().min(1).max(65535),
      host: z.string().min(1).max(253).optional(),
    })
    .optional(),
});
export type ProvisionCredentials = z.infer<typeof ProvisionCredentialsSchema>;

/** A one-time random value of an adoption (newNonce in shared/adoption-crypto.ts: 16 bytes). */
const NonceSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a base64url nonce');

/** `hearth/provision/<claim>/challenge`: the hub asks the device to prove its setup code. */
export const ProvisionChallengeSchema = z.strictObject({ hubNonce: NonceSchema });
export type ProvisionChallenge = z.infer<typeof ProvisionChallengeSchema>;

/** `hearth/provision/<claim>/proof`: the device's answer, an HMAC over both nonces (adoptionProof). */
export const ProvisionProofSchema = z.strictObject({
  hubNonce: NonceSchema,
  deviceNonce: NonceSchema,
  proof: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a base64url HMAC-SHA256'),
});
export type ProvisionProof = z.infer<typeof ProvisionProofSchema>;

/**
 * `hearth/provision/<claim>/credentials`: ProvisionCredentials as JSON, sealed (AES-256-GCM) under a
 * key derived from the setup code and both nonces, which travel beside it.
 */
export const ProvisionSealedSchema = z.strictObject({
  hubNonce: NonceSchema,
  deviceNonce: NonceSchema,
  sealed: z.strictObject({
    iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
    data: z.string().regex(/^[A-Za-z0-9_-]{1,16000}$/),
    tag: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  }),
});
export type ProvisionSealed = z.infer<typeof ProvisionSealedSchema>;
