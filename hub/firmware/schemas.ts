// The firmware API's shapes, as zod schemas: what a rollout request may say and what the hub
// answers about images and rollouts. Routes validate with these and the OpenAPI document is built
// from them.
import { z } from 'zod';
import { DeviceInfoSchema } from '../../shared/payloads.js';
import { FirmwareVersionSchema } from '../../shared/update-image.js';

export const ImageViewSchema = z.object({
  id: z.string(),
  model: z.string(),
  version: z.string(),
  size: z.number().int(),
  signature: z.string(),
  keyId: z.string(),
  uploadedAt: z.number().int(),
});
export type ImageView = z.infer<typeof ImageViewSchema>;

export const RolloutStartSchema = z.strictObject({
  model: DeviceInfoSchema.shape.model,
  version: FirmwareVersionSchema,
  /** Devices in the canary wave, updated (and healthy) before anyone else; 0 for none. */
  canary: z.number().int().min(0).max(1000).default(1),
  /** Cumulative percentages of the fleet after the canary; increasing, ending at 100. */
  waves: z
    .array(z.number().int().min(1).max(100))
    .min(1)
    .max(10)
    .default([10, 50, 100])
    .refine((w) => w.every((p, i) => i === 0 || p > (w[i - 1] as number)), 'waves must grow')
    .refine((w) => w[w.length - 1] === 100, 'the last wave must be 100'),
  /** More failures than this (updates refused, failed or rolled back) halt the rollout. */
  maxFailures: z.number().int().min(0).max(10_000).default(1),
  /** For a downgrade: the release key's signature of the downgrade statement (base64url). */
  allowDowngrade: z
    .string()
    .regex(/^[A-Za-z0-9_-]{86}$/)
    .optional(),
});
export type RolloutStart = z.infer<typeof RolloutStartSchema>;

export const WaveProgressSchema = z.object({
  wave: z.number().int(),
  label: z.string(),
  devices: z.number().int(),
  waiting: z.number().int(),
  offered: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  rolledBack: z.number().int(),
});

export const RolloutDeviceViewSchema = z.object({
  deviceId: z.string(),
  wave: z.number().int(),
  status: z.enum(['waiting', 'offered', 'updated', 'failed', 'rolled-back']),
  fromVersion: z.string().nullable(),
  reason: z.string().nullable(),
  offeredAt: z.number().int().nullable(),
  doneAt: z.number().int().nullable(),
});

export const RolloutViewSchema = z.object({
  id: z.string(),
  model: z.string(),
  version: z.string(),
  imageId: z.string(),
  status: z.enum(['running', 'completed', 'halted']),
  currentWave: z.number().int(),
  canary: z.number().int(),
  waves: z.array(z.number().int()),
  maxFailures: z.number().int(),
  failures: z.number().int(),
  haltedReason: z.string().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  progress: z.array(WaveProgressSchema),
  devices: z.array(RolloutDeviceViewSchema).optional(),
});
export type RolloutView = z.infer<typeof RolloutViewSchema>;
