// The hub's read models as they cross the wire (API answers, the event stream, the phone app):
// each shape defined once, as a zod schema, with its TypeScript type inferred from it. The OpenAPI
// document, the store's enums, the hub's domain types and the app's types all come from here.
import { z } from 'zod';
import { CapabilityDescriptorSchema } from './capabilities.js';
import { ERROR_CODES } from './errors.js';

const Scalar = z.union([z.boolean(), z.number(), z.string()]);

export const DeviceTwinViewSchema = z.object({
  /** No setting command in flight and every desired value reported. */
  converged: z.boolean(),
  /** Desired values the device has not reported (yet). */
  delta: z.record(z.string(), z.unknown()),
  /** Settings with a command on its way or waiting for the device. */
  pending: z.array(z.string()),
  /** `device`-wins settings the device changed itself; desired followed them. */
  changedOnDevice: z.array(z.string()),
});
export type DeviceTwinView = z.infer<typeof DeviceTwinViewSchema>;

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
  /** What has not converged yet (the twin owns desired and this). */
  twin: DeviceTwinViewSchema,
  schedulesVersion: z.number().nullable(),
  fault: z.string().nullable(),
});
export type DeviceView = z.infer<typeof DeviceViewSchema>;

/** A command's life: recorded, sent to the device, then settled by its ack or its expiry. */
export const COMMAND_STATUSES = ['pending', 'sent', 'done', 'failed', 'expired'] as const;
export const CommandStatusSchema = z.enum(COMMAND_STATUSES);
export type CommandStatus = z.infer<typeof CommandStatusSchema>;
/** Statuses still waiting for an ack. */
export const ACTIVE_COMMAND_STATUSES: CommandStatus[] = ['pending', 'sent'];

export const CommandErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

export const CommandRecordSchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  capability: z.string(),
  kind: z.enum(['setting', 'action']),
  value: Scalar.optional(),
  params: z.record(z.string(), z.number()).optional(),
  status: CommandStatusSchema,
  /** Who asked: "token:<id>", "schedule:<id>", "cloud", … */
  source: z.string(),
  error: CommandErrorSchema.optional(),
  issuedAt: z.number(),
  expiresAt: z.number(),
  sentAt: z.number().nullable(),
  ackedAt: z.number().nullable(),
  /** For schedule-issued commands: the occurrence it performs. */
  occurrence: z.string().optional(),
});
export type CommandRecord = z.infer<typeof CommandRecordSchema>;
