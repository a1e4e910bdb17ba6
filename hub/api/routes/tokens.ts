// /api/v1/session, /api/v1/tokens and /api/v1/pairing-codes: who am I, and the owner's keys.
import { Hono } from 'hono';
import { z } from 'zod';
import type { CoreContext } from '../../core/context.js';
import type { PairingService } from '../../security/pairing.js';
import { type FirstContact, pairingUrl } from '../../security/pairing-url.js';
import type { TokenService } from '../../security/token-service.js';
import { errors, jsonResponse, op, pathParam } from '../openapi-helpers.js';
import { type ApiEnv, type ApiModule, readJson, requireRight } from '../route-module.js';
import {
  CreatePairingCodeBodySchema,
  CreateTokenBodySchema,
  CreateTokenResponseSchema,
  PairingCodeSchema,
  PatchTokenBodySchema,
  SessionSchema,
  TokenViewSchema,
} from '../schemas.js';

export function createTokensModule(
  ctx: CoreContext,
  tokens: TokenService,
  pairing: PairingService,
  firstContact: () => FirstContact,
): ApiModule {
  const app = new Hono<ApiEnv>();

  app.get('/session', (c) => c.json(c.get('auth')));

  const actor = (c: { get(k: 'auth'): { tokenId: string } }) => `token:${c.get('auth').tokenId}`;

  app.get('/tokens', (c) => {
    requireRight(c, 'people.manage');
    return c.json({ tokens: tokens.list() });
  });

  app.post('/tokens', async (c) => {
    requireRight(c, 'people.manage');
    const body = await readJson(c, CreateTokenBodySchema);
    const { token, view } = tokens.create({ ...body, actor: actor(c) });
    return c.json({ token, tokenView: view }, 201);
  });

  app.patch('/tokens/:id', async (c) => {
    requireRight(c, 'people.manage');
    const body = await readJson(c, PatchTokenBodySchema);
    return c.json(tokens.update(c.req.param('id'), body, actor(c)));
  });

  app.delete('/tokens/:id', (c) => {
    requireRight(c, 'people.manage');
    return c.json(tokens.revoke(c.req.param('id'), actor(c)));
  });

  app.post('/pairing-codes', async (c) => {
    requireRight(c, 'people.manage');
    const body = await readJson(c, CreatePairingCodeBodySchema);
    const { code, expiresAt, role, grants } = await pairing.newCode({ ...body, ttlMs: 15 * 60_000 });
    return c.json(
      { code, url: pairingUrl(ctx.config.bind, firstContact(), code), expiresAt, role, grants },
      201,
    );
  });

  const Tokens = z.object({ tokens: z.array(TokenViewSchema) });
  return {
    basePath: '/api/v1',
    app,
    openapi: {
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
    },
  };
}
