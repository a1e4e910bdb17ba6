// What the hub says about its Matter bridge (GET /api/v1/matter, the app's Hub screen, and
// `<data-dir>/matter/pairing.json` for `hearth matter pairing`): one schema for all three.
import { z } from 'zod';

export const MatterStatusSchema = z.object({
  enabled: z.boolean(),
  state: z.enum(['off', 'starting', 'running', 'failed']),
  error: z.string().optional(),
  /** The Matter node's UDP port. */
  port: z.number().int().optional(),
  /** The 11-digit code to type into Apple Home, Google Home or Alexa. */
  manualPairingCode: z.string().optional(),
  /** The QR code's payload (`MT:…`). */
  qrPayload: z.string().optional(),
  /** Whether any controller (fabric) has the bridge. */
  commissioned: z.boolean().optional(),
  fabrics: z.number().int().optional(),
  /** Hearth devices bridged as Matter endpoints. */
  bridged: z.number().int().optional(),
});
export type MatterStatus = z.infer<typeof MatterStatusSchema>;

export const PAIRING_FILE = 'pairing.json';
