// Every route but pairing needs a token: `Authorization: Bearer <token>` or the hearth_token
// cookie the pairing sets (EventSource cannot send headers).
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { HearthError } from '../../shared/errors.js';
import type { TokenService } from '../security/token-service.js';
import { requestHeader } from './node-request.js';
import type { ApiEnv } from './route-module.js';

export const TOKEN_COOKIE = 'hearth_token';

/** The token a request carries: the Authorization header first, else the pairing cookie. */
export function requestToken(c: Context<ApiEnv>): string | undefined {
  const header = requestHeader(c, 'authorization');
  return header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? getCookie(c, TOKEN_COOKIE);
}

export function requireToken(tokens: TokenService) {
  return createMiddleware<ApiEnv>(async (c, next) => {
    // A route can match several guarded mounts (its own path, the module's base and base/*):
    // the token is checked once.
    if (c.get('auth')) return next();
    const token = requestToken(c);
    if (!token)
      throw new HearthError(
        'unauthorized',
        'this needs a token: pair the phone, or pass Authorization: Bearer <token>',
      );
    const auth = tokens.verify(token);
    if (!auth) throw new HearthError('unauthorized', 'that token is not valid (unknown or revoked)');
    c.set('auth', auth);
    await next();
  });
}
