// Fault switches for tests and drills, as data (they arrive as JSON lines on `hearth device run`'s
// stdin, or through Device.fault() in-process). Connection faults belong to the runtime; others
// (a feeder's jam) are the model's and show in the state's `fault` field.
import { z } from 'zod';

export const FaultSwitchSchema = z.discriminatedUnion('fault', [
  /** The network drops the connection; the device reconnects with backoff. */
  z.strictObject({ fault: z.literal('drop') }),
  /** The firmware hangs: it stops answering anything (no acks, no state) until unfrozen. */
  z.strictObject({ fault: z.literal('freeze'), on: z.boolean().default(true) }),
  /** Acks leave this many ms late (0 = normal). */
  z.strictObject({ fault: z.literal('slow-acks'), ms: z.number().int().min(0).max(600_000) }),
  /** Power cycle: no goodbye (the broker sends the will), boot again from flash. */
  z.strictObject({ fault: z.literal('reboot') }),
  /** A physical fault of the model (e.g. `jam` on a feeder); persists in flash across reboots. */
  z.strictObject({
    fault: z.literal('device'),
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
    on: z.boolean().default(true),
  }),
  /** The network drops the next firmware download after this many bytes (it resumes). */
  z.strictObject({ fault: z.literal('drop-download'), afterBytes: z.number().int().min(1) }),
  /** Firmware slot writes pause this long per 16 KiB (a slow flash chip; to cut power mid-write). */
  z.strictObject({ fault: z.literal('slow-slot-write'), ms: z.number().int().min(0).max(10_000) }),
  /** Shorthand for `{ fault: 'device', name: 'jam' }`. */
  z.strictObject({ fault: z.literal('jam'), on: z.boolean().default(true) }),
]);
export type FaultSwitch = z.input<typeof FaultSwitchSchema>;
