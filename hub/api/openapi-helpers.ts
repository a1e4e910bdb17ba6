// Small builders that keep each route module's OpenAPI items short and uniform.
import type { z } from 'zod';
import type { Right } from '../core/rights.js';
import { errorResponse, jsonBody, jsonResponse, type OpenApiOperation } from './route-module.js';

export const bearer = [{ bearerAuth: [] }, { cookieAuth: [] }];

export function pathParam(name: string, description: string) {
  return { name, in: 'path', required: true, description, schema: { type: 'string' } };
}

export function queryParam(name: string, description: string, schema: Record<string, unknown>) {
  return { name, in: 'query', required: false, description, schema };
}

/** Error responses every authenticated route can give, plus the ones named. */
export function errors(...statuses: Array<[number, string]>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {
    '401': errorResponse('missing, unknown or revoked token (code unauthorized)'),
  };
  for (const [status, description] of statuses) out[String(status)] = errorResponse(description);
  return out;
}

/** The 403 of an operation that needs `right`, keeping any other reason it already documents. */
function forbidden(right: Right, other?: Record<string, unknown>) {
  const also = typeof other?.description === 'string' ? `; or ${other.description}` : '';
  return errorResponse(`the token lacks the right ${right} (code forbidden)${also}`);
}

export function op(
  summary: string,
  tag: string,
  responses: Record<string, Record<string, unknown>>,
  extra: {
    body?: z.ZodType;
    parameters?: Array<Record<string, unknown>>;
    public?: boolean;
    /** The right needed; `guest` notes that a guest needs a grant for the device (and capability). */
    right?: Right;
    perDevice?: boolean;
  } = {},
): OpenApiOperation {
  const description = extra.public
    ? 'No token needed.'
    : extra.right
      ? `Needs the right \`${extra.right}\`${extra.perDevice ? ' (a guest: a grant for the device' + (extra.right === 'devices.command' ? ' and capability)' : ')') : ''}; otherwise 403 forbidden.`
      : 'Any valid token.';
  return {
    summary,
    description,
    tags: [tag],
    ...(extra.right ? { 'x-hearth-right': extra.right } : {}),
    ...(extra.public ? { security: [] } : { security: bearer }),
    ...(extra.parameters ? { parameters: extra.parameters } : {}),
    ...(extra.body ? { requestBody: jsonBody(extra.body) } : {}),
    responses: extra.right ? { ...responses, '403': forbidden(extra.right, responses['403']) } : responses,
  };
}

export { errorResponse, jsonResponse };
