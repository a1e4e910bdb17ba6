// /api/v1/session, /api/v1/tokens and /api/v1/pairing-codes: who am I, and the owner's keys.
import { Hono } from 'hono';
import { z } from 'zod';
import type { CoreContext } from '../../context.js';
import type { PairingService } from '../../security/pairing.js';
import { type FirstContact, pairingUrl } from '../../security/pairing-url.js';
import type { TokenService } from '../../security/token-service.js';
import { errors, jsonResponse, op, pathParam } from '../openapi-helpers.js';
import { type ApiEnv, type ApiModule, readJson, requireScope } from '../route-module.js';
import {
  CreateTokenBodySchema,
  CreateTokenResponseSchema,
  PairingCodeSchema,
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

  app.get('/tokens', (c) => {
    requireScope(c, 'admin');
    return c.json({ tokens: tokens.list() });
  });

  app.post('/tokens', async (c) => {
    requireScope(c, 'admin');
    const body = await readJson(c, CreateTokenBodySchema);
    const { token, view } = tokens.create({
      name: body.name,
      scopes: body.scopes,
      actor: `token:${c.get('auth').tokenId}`,
    });
    return c.json({ token, tokenView: view }, 201);
  });

  app.delete('/tokens/:id', (c) => {
    requireScope(c, 'admin');
    return c.json(tokens.revoke(c.req.param('id'), `token:${c.get('auth').tokenId}`));
  });

  app.post('/pairing-codes', async (c) => {
    requireScope(c, 'admin');
    const { code, expiresAt } = await pairing.newCode(15 * 60_000);
    return c.json({ code, url: pairingUrl(ctx.config.bind, firstContact(), code), expiresAt }, 201);
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
        get: op('List tokens', 'auth', {
          '200': jsonResponse('tokens', Tokens),
          ...errors([403, 'needs admin']),
        }),
        post: op(
          'Create a token',
          'auth',
          {
            '201': jsonResponse('created; the token is shown once', CreateTokenResponseSchema),
            ...errors(
              [400, 'malformed JSON'],
              [403, 'needs admin'],
              [413, 'body too large'],
              [422, 'invalid body'],
            ),
          },
          { body: CreateTokenBodySchema },
        ),
      },
      '/api/v1/tokens/{id}': {
        delete: op(
          'Revoke a token',
          'auth',
          {
            '200': jsonResponse('revoked', TokenViewSchema),
            ...errors([403, 'needs admin'], [404, 'no such token (not_found)']),
          },
          { parameters: [pathParam('id', 'token id')] },
        ),
      },
      '/api/v1/pairing-codes': {
        post: op('A new pairing code for another phone (valid 15 min)', 'auth', {
          '201': jsonResponse('code', PairingCodeSchema),
          ...errors([403, 'needs admin']),
        }),
      },
    },
  };
}
