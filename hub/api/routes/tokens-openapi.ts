// The OpenAPI description of /api/v1/session, /api/v1/tokens and /api/v1/pairing-codes, apart
// from the handlers so each file holds one concern; tokens.ts must change with it.
import { z } from 'zod';
import { errors, jsonResponse, op, pathParam } from '../openapi-helpers.js';
import type { OpenApiPaths } from '../route-module.js';
import {
  CreatePairingCodeBodySchema,
  CreateTokenBodySchema,
  CreateTokenResponseSchema,
  PairingCodeSchema,
  PatchTokenBodySchema,
  SessionSchema,
  TokenViewSchema,
} from '../schemas.js';

/** Built when the API is assembled, not on import. */
export function tokensOpenApi(): OpenApiPaths {
  const Tokens = z.object({ tokens: z.array(TokenViewSchema) });
  return {
    '/api/v1/session': {
      get: op('The calling token', 'auth', { '200': jsonResponse('session', SessionSchema), ...errors() }),
    },
    '/api/v1/tokens': {
      get: op(
        'List tokens and paired phones with their roles',
        'auth',
        {
          '200': jsonResponse('tokens', Tokens),
          ...errors(),
        },
        { right: 'people.manage' },
      ),
      post: op(
        'Create a token for a role (guests: with grants such as feeder-1:feed)',
        'auth',
        {
          '201': jsonResponse('created; the token is shown once', CreateTokenResponseSchema),
          ...errors(
            [400, 'malformed JSON'],
            [413, 'body too large'],
            [422, 'invalid body, a bad grant, or grants on a role other than guest (invalid_payload)'],
          ),
        },
        { body: CreateTokenBodySchema, right: 'people.manage' },
      ),
    },
    '/api/v1/tokens/{id}': {
      patch: op(
        "Change a token's role or grants; its open sessions (event streams, MQTT) end at once",
        'auth',
        {
          '200': jsonResponse('changed', TokenViewSchema),
          ...errors(
            [400, 'malformed JSON'],
            [404, 'no such token (not_found)'],
            [409, 'the token is revoked (conflict)'],
            [413, 'body too large'],
            [422, 'invalid body, a bad grant, or grants on a role other than guest (invalid_payload)'],
          ),
        },
        { parameters: [pathParam('id', 'token id')], body: PatchTokenBodySchema, right: 'people.manage' },
      ),
      delete: op(
        'Revoke a token; its open sessions end at once',
        'auth',
        {
          '200': jsonResponse('revoked', TokenViewSchema),
          ...errors([404, 'no such token (not_found)']),
        },
        { parameters: [pathParam('id', 'token id')], right: 'people.manage' },
      ),
    },
    '/api/v1/pairing-codes': {
      post: op(
        'A new pairing code for another phone, for a role and grants (valid 15 min)',
        'auth',
        {
          '201': jsonResponse('code', PairingCodeSchema),
          ...errors(
            [400, 'malformed JSON'],
            [413, 'body too large'],
            [422, 'invalid body, a bad grant, or grants on a role other than guest (invalid_payload)'],
          ),
        },
        { body: CreatePairingCodeBodySchema, right: 'people.manage' },
      ),
    },
  };
}
