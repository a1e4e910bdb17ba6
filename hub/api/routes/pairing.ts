// The only routes that answer without a token: what the pairing screen needs, and pairing itself.
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { CoreContext } from '../../core/context.js';
import { hearthVersion } from '../../infra/version.js';
import type { PairingService } from '../../security/pairing.js';
import type { TokenService } from '../../security/token-service.js';
import { requestToken, TOKEN_COOKIE } from '../auth.js';
import { incomingOf } from '../node-request.js';
import { errorResponse, jsonResponse, op } from '../openapi-helpers.js';
import { isPlainFromLan } from '../plain-gate.js';
import { type ApiEnv, type ApiModule, readJson } from '../route-module.js';
import { HubInfoSchema, PairBodySchema, PairResponseSchema } from '../schemas.js';

export function createPairingModule(
  ctx: CoreContext,
  pairing: PairingService,
  tokens: TokenService,
  trust: () => { httpsPort: number; caFingerprint: string },
  httpsUrl: (host: string) => string,
): ApiModule {
  const app = new Hono<ApiEnv>();

  app.get('/hub', (c) => {
    // The phone app's first question, answered without a 401 (which a browser logs as an error).
    const token = requestToken(c);
    const incoming = incomingOf(c);
    return c.json({
      name: ctx.config.hubName,
      version: hearthVersion(),
      apiVersion: 1 as const,
      paired: tokens.count() > 0,
      ...trust(),
      httpsUrl: incoming && isPlainFromLan(incoming) ? httpsUrl(incoming.headers.host ?? '') : null,
      session: (token && tokens.verify(token)) || null,
    });
  });

  app.post('/pair', async (c) => {
    const body = await readJson(c, PairBodySchema);
    const result = await pairing.exchange(body.code, body.name ?? 'phone');
    setCookie(c, TOKEN_COOKIE, result.token, {
      httpOnly: true,
      // Not Secure: a phone pairs over plain HTTP first and then opens the HTTPS app on the same
      // host, which must still send it.
      sameSite: 'Strict',
      path: '/',
      maxAge: 400 * 24 * 3600, // the most browsers allow
    });
    return c.json(result, 201);
  });

  return {
    basePath: '/api/v1',
    app,
    public: true,
    openapi: {
      '/api/v1/hub': {
        get: op(
          'Hub name and version (no token needed)',
          'pairing',
          { '200': jsonResponse('hub', HubInfoSchema) },
          { public: true },
        ),
      },
      '/api/v1/pair': {
        post: op(
          'Exchange a pairing code for a token (also set as the hearth_token cookie)',
          'pairing',
          {
            '201': jsonResponse('paired', PairResponseSchema),
            '400': errorResponse('malformed JSON (invalid_json)'),
            '401': errorResponse('wrong, used or expired code (unauthorized)'),
            '413': errorResponse('body too large'),
            '422': errorResponse('invalid body (invalid_payload)'),
            '429': errorResponse('too many attempts (rate_limited)'),
          },
          { public: true, body: PairBodySchema },
        ),
      },
    },
  };
}
