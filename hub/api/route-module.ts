// How a resource plugs into the HTTP API: a hono sub-app mounted at a base path, plus the OpenAPI
// path items it answers, built from the same zod schemas it validates with so the document stays
// exactly true. hub/api/app.ts mounts every module; units contribute theirs via `apiModules`.
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { HearthError } from '../../shared/errors.js';
import { type AuthInfo, checkRight, type Right, type RightTarget } from '../core/rights.js';
import type { Unit } from '../infra/unit.js';
import { readBody } from './request-body.js';

export type ApiEnv = { Variables: { auth: AuthInfo } };

export type OpenApiOperation = {
  summary: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<Record<string, unknown>>;
  requestBody?: Record<string, unknown>;
  description?: string;
  responses: Record<string, Record<string, unknown>>;
  /** The right the caller's token needs (hub/security/rights.ts); absent: any valid token, or none. */
  'x-hearth-right'?: string;
};
export type OpenApiPaths = Record<
  string,
  Partial<Record<'get' | 'post' | 'put' | 'patch' | 'delete', OpenApiOperation>>
>;

export interface ApiModule {
  /** Mount point, e.g. "/api/v1/schedules". */
  basePath: string;
  app: Hono<ApiEnv>;
  /** Path items keyed by full path in OpenAPI form ("/api/v1/schedules/{id}"). */
  openapi: OpenApiPaths;
  /** Routes that need no token (pairing, firmware downloads). Default: every route requires a token. */
  public?: boolean;
  /** Routes (full paths) that take bodies larger than MAX_BODY_BYTES, with their limit. */
  bodyLimits?: Record<string, number>;
}

/** A unit that also serves HTTP resources; the API unit, which starts last, mounts them. */
export interface ApiUnit extends Unit {
  readonly apiModules?: ApiModule[];
}

/** JSON Schema for OpenAPI from a zod schema (zod 4 built-in). */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}

/** A JSON response description for OpenAPI. */
export function jsonResponse(description: string, schema?: z.ZodType): Record<string, unknown> {
  return schema
    ? { description, content: { 'application/json': { schema: jsonSchema(schema) } } }
    : { description };
}

export function jsonBody(schema: z.ZodType): Record<string, unknown> {
  return { required: true, content: { 'application/json': { schema: jsonSchema(schema) } } };
}

/** The error envelope every failing route answers with. */
export const ErrorEnvelopeSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const errorResponse = (description: string) => jsonResponse(description, ErrorEnvelopeSchema);

/** Reads and validates a JSON body; throws HearthError (invalid_json, payload_too_large, invalid_payload). */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = (await readBody(c)).toString('utf8');
  let data: unknown;
  try {
    data = text.length === 0 ? undefined : JSON.parse(text);
  } catch (err) {
    throw new HearthError('invalid_json', `body is not JSON: ${(err as Error).message}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const message = result.error.issues
      .slice(0, 5)
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    throw new HearthError('invalid_payload', message, {
      issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  return result.data;
}

/** Throws forbidden (403) naming the right unless the caller's token holds it, on the device named. */
export function requireRight(c: Context<ApiEnv>, right: Right, target: RightTarget = {}): void {
  checkRight(c.get('auth'), right, target);
}
