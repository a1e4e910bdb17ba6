// The error model both sides speak: stable codes, and the ok/error envelope that travels in acks and
// HTTP bodies. Codes are part of the contract; messages are for people and may change.

export const ERROR_CODES = [
  'invalid_json',
  'invalid_payload',
  'payload_too_large',
  'invalid_device_id',
  'unknown_device',
  'unknown_capability',
  'unsupported',
  'out_of_range',
  'invalid_cron',
  'unknown_time_zone',
  'forbidden',
  'unauthorized',
  'expired',
  'duplicate',
  'timeout',
  'device_offline',
  'device_fault',
  'not_found',
  'conflict',
  'rate_limited',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** A failure with a stable code. Thrown inside either side, turned into an envelope at the edges. */
export class HearthError extends Error {
  override readonly name = 'HearthError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export const ok = <T>(value: T): Envelope<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, details?: unknown): Envelope<never> => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});

export function isHearthError(err: unknown): err is HearthError {
  return err instanceof HearthError;
}
