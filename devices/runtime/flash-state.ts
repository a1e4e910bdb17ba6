// What a device keeps in its flash across reboots, as one zod schema: reported values, the seq
// block it may use, schedules, recent command ids with their results, firmware slots, learned hub
// addresses and physical faults (a jammed feeder stays jammed through a reboot).
import { z } from 'zod';
import {
  DeviceInfoSchema,
  DeviceSchedulesSchema,
  ErrorBodySchema,
  ProvisionCredentialsSchema,
} from '../../shared/payloads.js';
import { FIRMWARE_BEHAVIOURS } from '../../shared/update-image.js';

/** How many states one boot may publish before it reserves the next block of seq numbers. */
export const SEQ_BLOCK = 1_000_000;
/** Recent command ids kept for de-duplication (a hub re-sends at most what it has pending). */
export const COMMAND_MEMORY = 256;

const Scalar = z.union([z.boolean(), z.number(), z.string()]);

export const CommandResultSchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true) }),
  z.strictObject({ ok: z.literal(false), error: ErrorBodySchema }),
]);
export type CommandResult = z.infer<typeof CommandResultSchema>;

export const RememberedCommandSchema = z.strictObject({
  id: z.string(),
  expiresAt: z.number(),
  result: CommandResultSchema,
});
export type RememberedCommand = z.infer<typeof RememberedCommandSchema>;

/** What a firmware slot holds; slot a starts as the firmware the device was flashed with. */
export const FirmwareSlotSchema = z.strictObject({
  version: z.string(),
  behaviour: z.enum(FIRMWARE_BEHAVIOURS).optional(),
  /** SHA-256 of the update image in the slot file (none for the factory firmware). */
  sha256: z.string().optional(),
});
export type FirmwareSlot = z.infer<typeof FirmwareSlotSchema>;

export const FlashStateSchema = z.strictObject({
  format: z.literal(1),
  /** Whose flash this is: the device id, or `claim-<id>` before adoption. */
  owner: z.string(),
  bootCount: z.number().int().nonnegative(),
  /** First seq this boot may not use without reserving another block (seq never goes backwards). */
  seqCeiling: z.number().int().nonnegative(),
  values: z.record(z.string(), Scalar),
  schedules: DeviceSchedulesSchema.nullable(),
  commands: z.array(RememberedCommandSchema).max(COMMAND_MEMORY),
  firmware: z.strictObject({
    /** The slot the boot loader boots. */
    active: z.enum(['a', 'b']),
    a: FirmwareSlotSchema,
    b: FirmwareSlotSchema.nullable(),
    /**
     * An update booted on trial: it confirms its health in time, or the boot loader goes back to
     * `fallback` by itself. `booted` is set before the new code runs, so a trial that reboots
     * without confirming (a crash) falls back on the next boot.
     */
    trial: z
      .strictObject({
        rollout: z.string(),
        version: z.string(),
        fallback: z.enum(['a', 'b']),
        booted: z.boolean(),
      })
      .optional(),
    /** The last offer's outcome, reported in info; `reported` once its event has left. */
    last: z
      .strictObject({ ...DeviceInfoSchema.shape.update.unwrap().shape, reported: z.boolean() })
      .optional(),
  }),
  /** Credentials received through provisioning (factory images have none). */
  provisioned: ProvisionCredentialsSchema.nullable(),
  /** Broker addresses that worked, newest first (tried before the image's). */
  hubAddresses: z.array(z.string()).max(8),
  faults: z.array(z.string().max(64)).max(16),
});
export type FlashState = z.infer<typeof FlashStateSchema>;

export function freshFlashState(
  owner: string,
  firmware: string,
  values: Record<string, unknown>,
): FlashState {
  return {
    format: 1,
    owner,
    bootCount: 0,
    seqCeiling: 0,
    values: values as FlashState['values'],
    schedules: null,
    commands: [],
    firmware: { active: 'a', a: { version: firmware }, b: null },
    provisioned: null,
    hubAddresses: [],
    faults: [],
  };
}
