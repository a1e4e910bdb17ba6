// One place maps error codes to HTTP statuses; every route throws HearthError and this answers
// `{ ok: false, error: { code, message } }`. Nothing a client sends is answered with a 5xx.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, HearthError } from '../../shared/errors.js';
import type { Logger } from '../infra/log.js';

export const HTTP_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_json: 400,
  invalid_payload: 422,
  payload_too_large: 413,
  invalid_device_id: 400,
  unknown_device: 404,
  unknown_capability: 422,
  unsupported: 422,
  out_of_range: 422,
  invalid_cron: 422,
  unknown_time_zone: 422,
  forbidden: 403,
  unauthorized: 401,
  expired: 409,
  duplicate: 409,
  timeout: 504,
  device_offline: 409,
  device_fault: 409,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function errorResponse(c: Context, err: HearthError) {
  return c.json({ ok: false, error: err.toBody() }, HTTP_STATUS[err.code]);
}

export function createErrorHandler(log: Logger, onError: (code: ErrorCode) => void) {
  return (err: Error, c: Context) => {
    if (err instanceof HearthError) {
      onError(err.code);
      log.info({ code: err.code, path: c.req.path, method: c.req.method }, err.message);
      return errorResponse(c, err);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code: ErrorCode =
        status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'invalid_payload';
      onError(code);
      return c.json({ ok: false, error: { code, message: err.message || 'bad request' } }, status);
    }
    onError('internal');
    log.error({ err, path: c.req.path }, 'unhandled error in API route');
    return c.json(
      { ok: false, error: { code: 'internal', message: 'internal error; see the hub log' } },
      500,
    );
  };
}
