// Small builders that keep each route module's OpenAPI items short and uniform.
import type { z } from 'zod';
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

export function op(
  summary: string,
  tag: string,
  responses: Record<string, Record<string, unknown>>,
  extra: { body?: z.ZodType; parameters?: Array<Record<string, unknown>>; public?: boolean } = {},
): OpenApiOperation {
  return {
    summary,
    tags: [tag],
    ...(extra.public ? { security: [] } : { security: bearer }),
    ...(extra.parameters ? { parameters: extra.parameters } : {}),
    ...(extra.body ? { requestBody: jsonBody(extra.body) } : {}),
    responses,
  };
}

export { errorResponse, jsonResponse };
