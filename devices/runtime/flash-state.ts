// What a device keeps in its flash across reboots, as one zod schema: reported values, the seq
// block it may use, schedules, recent command ids with their results, firmware slots, learned hub
// addresses and physical faults (a jammed feeder stays jammed through a reboot).
import { z } from 'zod';
import { DeviceSchedulesSchema, ErrorBodySchema, ProvisionCredentialsSchema } from '../../shared/payloads.js';

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
    active: z.enum(['a', 'b']),
    a: z.strictObject({ version: z.string() }),
    b: z.strictObject({ version: z.string() }).nullable(),
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
