// The Matter bridge's settings (`matter` in the hub config). Off by default: matter.js is loaded
// only when `matter.enabled` is true, so a hub without it starts and idles as before.
import { z } from 'zod';

/** Capabilities a Matter controller may command by default: everything the bridge maps. */
export const MATTER_COMMANDABLE = [
  'power',
  'brightness',
  'color_temp',
  'target_temperature',
  'mode',
  'channel',
  'feed',
] as const;

export const MatterConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** UDP port of the Matter node (Matter's standard is 5540). 0 picks a free port. */
    port: z.number().int().min(0).max(65535).default(5540),
    /** Setup passcode; absent means a random one, made once and kept with the fabric data. */
    passcode: z.number().int().min(1).max(99_999_998).optional(),
    /** 12-bit discriminator; absent means a random one, kept like the passcode. */
    discriminator: z.number().int().min(0).max(4095).optional(),
    /** Devices the identity `matter` may see and so bridge: ids, or `*` for every device. */
    devices: z
      .array(z.union([z.literal('*'), z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a device id')]))
      .default(['*']),
    /** Capabilities it may command on those devices. */
    capabilities: z.array(z.string().min(1)).default([...MATTER_COMMANDABLE]),
  })
  .prefault({});

export type MatterConfig = z.infer<typeof MatterConfigSchema>;
