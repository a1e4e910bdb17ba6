// The scheduler's HTTP shapes, as zod schemas: the routes validate with them and the OpenAPI
// document is built from them.
import { z } from 'zod';
import { CatchUpSchema, DeviceIdSchema } from '../../shared/payloads.js';

export const ScheduleIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'schedule ids are a-z, 0-9 and -, 1 to 40 long');

const Scalar = z.union([z.boolean(), z.number().finite(), z.string().max(64)]);

export const ScheduleCommandSchema = z.strictObject({
  capability: z.string().min(1).max(32),
  value: Scalar.optional(),
  params: z.record(z.string().max(32), z.number().finite()).optional(),
});
export type ScheduleCommand = z.infer<typeof ScheduleCommandSchema>;

export const SunTriggerSchema = z.strictObject({
  event: z.enum(['sunrise', 'sunset']),
  /** Minutes after (positive) or before (negative) the event. */
  offsetMinutes: z.number().int().min(-720).max(720).default(0),
});
export type SunTrigger = z.infer<typeof SunTriggerSchema>;

/** A one-off time: epoch ms, or an ISO 8601 date-time with an offset ("2025-06-01T08:00:00+01:00"). */
const AtSchema = z.union([
  z.number().int().nonnegative().max(8.64e15),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

const timingFields = {
  /** 5 fields, or 6 with seconds first (croner syntax). */
  cron: z.string().min(1).max(120).optional(),
  at: AtSchema.optional(),
  sun: SunTriggerSchema.optional(),
  /** IANA zone; defaults to the hub's `timeZone`. */
  tz: z.string().min(1).max(64).optional(),
};

export const CreateScheduleBodySchema = z.strictObject({
  id: ScheduleIdSchema.optional(),
  deviceId: DeviceIdSchema,
  name: z.string().min(1).max(64).optional(),
  command: ScheduleCommandSchema,
  ...timingFields,
  enabled: z.boolean().optional(),
  catchUp: CatchUpSchema.optional(),
});
export type CreateScheduleBody = z.infer<typeof CreateScheduleBodySchema>;

/** Any of cron / at / sun replaces the whole timing. */
export const PatchScheduleBodySchema = z.strictObject({
  name: z.string().min(1).max(64).nullable().optional(),
  command: ScheduleCommandSchema.optional(),
  ...timingFields,
  enabled: z.boolean().optional(),
  catchUp: CatchUpSchema.optional(),
});
export type PatchScheduleBody = z.infer<typeof PatchScheduleBodySchema>;

export const ScheduleViewSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  name: z.string().nullable(),
  command: ScheduleCommandSchema,
  cron: z.string().nullable(),
  at: z.number().nullable(),
  sun: z.object({ event: z.enum(['sunrise', 'sunset']), offsetMinutes: z.number() }).nullable(),
  tz: z.string(),
  enabled: z.boolean(),
  catchUp: CatchUpSchema,
  /** Where it runs: on the device (it keeps schedules and needs no sun position) or in the hub. */
  runsOn: z.enum(['hub', 'device']),
  nextRunAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** For device-run schedules: the version pushed and the version the device reports running. */
  sync: z
    .object({ version: z.number().nullable(), deviceVersion: z.number().nullable(), inSync: z.boolean() })
    .nullable(),
});
export type ScheduleView = z.infer<typeof ScheduleViewSchema>;

export const RunViewSchema = z.object({
  occurrence: z.string(),
  scheduleId: z.string(),
  deviceId: z.string(),
  scheduledAt: z.number(),
  ranAt: z.number().nullable(),
  by: z.enum(['hub', 'device']),
  status: z.enum(['issued', 'ok', 'failed', 'missed']),
  late: z.number().nullable(),
  catchUp: z.boolean(),
  reason: z.string().nullable(),
  commandId: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type RunView = z.infer<typeof RunViewSchema>;

export const RunsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Only runs scheduled before this instant (epoch ms), for paging back. */
  before: z.coerce.number().int().nonnegative().optional(),
  deviceId: DeviceIdSchema.optional(),
});
