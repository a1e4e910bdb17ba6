// The shapes and the OpenAPI description of /api/v1/discovered (factory devices waiting to be adopted).
import { z } from 'zod';
import { normalizeSetupCode } from '../../shared/adoption-crypto.js';
import { errors, jsonResponse, op, pathParam } from '../api/openapi-helpers.js';
import type { OpenApiPaths } from '../api/route-module.js';
import { ATTEMPTS_PER_MINUTE, PROOF_WAIT_MS } from './adoption-challenge.js';

const DiscoveredSchema = z.object({
  claimId: z.string(),
  model: z.string(),
  firmware: z.string(),
  capabilities: z.array(z.unknown()),
  firstSeenAt: z.number(),
  lastSeenAt: z.number(),
  expiresAt: z.number(),
});
export const AdoptBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  room: z.string().trim().min(1).max(64).nullable().optional(),
  setupCode: z
    .string()
    .max(64)
    .refine((s) => normalizeSetupCode(s) !== null, {
      message: 'the setup code is the 16 letters and digits (A-Z, 2-7) on the device label',
    })
    .describe('the setup code on the device label (any case; spaces and dashes ignored)'),
});

export function discoveredOpenApi(): OpenApiPaths {
  return {
    '/api/v1/discovered': {
      get: op(
        'Factory devices waiting to be adopted',
        'devices',
        {
          '200': jsonResponse('waiting devices', z.object({ discovered: z.array(DiscoveredSchema) })),
          ...errors(),
        },
        { right: 'devices.adopt' },
      ),
    },
    '/api/v1/discovered/{claim}/adopt': {
      post: op(
        `Adopt a factory device: it must prove the setup code on its label (the hub waits up to ${PROOF_WAIT_MS / 1000} s for it), then it is registered and sent its credentials sealed under that code`,
        'devices',
        {
          '201': jsonResponse('adopted', z.object({ device: z.record(z.string(), z.unknown()) })),
          ...errors(
            [400, 'malformed JSON'],
            [403, 'the device could not prove the setup code (forbidden)'],
            [404, 'no such claim (not_found)'],
            [409, 'the device did not answer (device_offline), or an adoption is under way (conflict)'],
            [413, 'body too large'],
            [422, 'invalid body'],
            [429, `more than ${ATTEMPTS_PER_MINUTE} attempts a minute for this claim (rate_limited)`],
          ),
        },
        {
          parameters: [pathParam('claim', 'claim id the device announced')],
          body: AdoptBodySchema,
          right: 'devices.adopt',
        },
      ),
    },
  };
}
