// Turns raw bytes from the wire into a validated payload, or an error with the code to report.
// Every receiver uses this, so oversized, non-UTF-8, non-JSON and wrong-shape payloads are all
// refused the same way.
import type { z } from 'zod';
import { type Envelope, fail, ok } from './errors.js';
import { MAX_PAYLOAD_BYTES } from './payloads.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeJson<S extends z.ZodType>(
  schema: S,
  payload: Uint8Array | string,
  maxBytes: number = MAX_PAYLOAD_BYTES,
): Envelope<z.infer<S>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > maxBytes) return fail('payload_too_large', `payload is ${size} bytes; the limit is ${maxBytes}`);
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return fail('invalid_payload', 'payload is not valid UTF-8');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail('invalid_json', `payload is not JSON: ${(err as Error).message}`);
  }
  return validate(schema, data);
}

/** Validates already-parsed data (HTTP bodies, config). */
export function validate<S extends z.ZodType>(schema: S, data: unknown): Envelope<z.infer<S>> {
  const result = schema.safeParse(data);
  if (result.success) return ok(result.data);
  return fail('invalid_payload', describeIssues(result.error.issues), {
    issues: result.error.issues.map(plainIssue),
  });
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

function plainIssue(issue: z.core.$ZodIssue): { path: string; message: string } {
  return { path: issue.path.join('.'), message: issue.message };
}
