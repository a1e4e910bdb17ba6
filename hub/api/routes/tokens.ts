// /api/v1/session, /api/v1/tokens and /api/v1/pairing-codes: who am I, and the owner's keys.
import { Hono } from 'hono';
import type { CoreContext } from '../../core/context.js';
import type { PairingService } from '../../security/pairing.js';
import { type FirstContact, pairingUrl } from '../../security/pairing-url.js';
import type { TokenService } from '../../security/token-service.js';
import { type ApiEnv, type ApiModule, readJson, requireRight } from '../route-module.js';
import { CreatePairingCodeBodySchema, CreateTokenBodySchema, PatchTokenBodySchema } from '../schemas.js';
import { tokensOpenApi } from './tokens-openapi.js';

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

  return { basePath: '/api/v1', app, openapi: tokensOpenApi() };
}
