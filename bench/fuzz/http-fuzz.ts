// Fuzzes the HTTP API from its own OpenAPI document, the way outside API testers do: for every
// operation, hostile bodies (from the documented request schema), path ids and query values, with
// and without a token and with odd content types. Every answer must be a documented status, never
// a 5xx (504 is the commands route's documented timeout), errors in the documented envelope, and an
// input the hub refused must have committed nothing.
import fc from 'fast-check';
import { describeChanges, type RowChange } from './change-log.js';
import type { FuzzTally } from './findings.js';
import { type FuzzHub, QUIET_CRONS } from './fuzz-hub.js';
import { hostilePayload } from './hostile-payloads.js';
import type { JsonSchema } from './schema-arbitrary.js';

/** The API's body limit (route-module's MAX_BODY_BYTES). */
const MAX_BODY_BYTES = 64 * 1024;

interface Operation {
  method: string;
  path: string;
  statuses: string[];
  body: JsonSchema | undefined;
  query: Array<{ name: string; schema: JsonSchema }>;
  public: boolean;
}

interface FuzzRequest {
  op: Operation;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

type OpenApiDoc = {
  paths: Record<
    string,
    Record<
      string,
      {
        security?: unknown[];
        responses: Record<string, unknown>;
        parameters?: Array<{ name: string; in: string; schema?: JsonSchema }>;
        requestBody?: { content: Record<string, { schema: JsonSchema }> };
      }
    >
  >;
};

/** Streamed (server-sent events) routes are driven by their own tests, not request by request. */
const STREAMED = new Set(['/api/v1/events']);

function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (STREAMED.has(path)) continue;
    for (const [method, op] of Object.entries(methods)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        statuses: Object.keys(op.responses),
        body: op.requestBody?.content['application/json']?.schema,
        query: (op.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema ?? true })),
        public: Array.isArray(op.security) && op.security.length === 0,
      });
    }
  }
  return ops;
}

const randomSegment = fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s) || '%20');

/** Bodies the API accepts, per operation: the fuzzer's near misses start from these. */
function examples(h: FuzzHub): Record<string, unknown[]> {
  const command = { capability: 'power', value: true };
  const yearAhead = Date.now() + 365 * 24 * 3600_000;
  return {
    'POST /api/v1/devices/{id}/commands': [command, { capability: 'brightness', value: 40, ttlMs: 60_000 }],
    'POST /api/v1/schedules': [
      { deviceId: h.responder.id, cron: QUIET_CRONS[0], tz: 'UTC', command },
      {
        deviceId: h.responder.id,
        at: yearAhead,
        tz: 'UTC',
        command: { capability: 'brightness', value: 10 },
      },
    ],
    'PATCH /api/v1/schedules/{id}': [{ enabled: false }, { name: 'night light' }, { cron: QUIET_CRONS[1] }],
    'PATCH /api/v1/devices/{id}': [{ name: 'Hall light' }, { room: 'hall' }],
    'POST /api/v1/devices': [{ name: 'Desk lamp', model: 'light' }],
    'POST /api/v1/tokens': [{ name: 'wall tablet', role: 'member' }],
    'POST /api/v1/pair': [{ code: '1234-5678', name: 'phone' }],
    'POST /api/v1/discovered/{claim}/adopt': [{ name: 'Cat feeder' }],
  };
}

/** A real id for a path's parameter, so requests reach past the 404. */
function knownId(path: string, h: FuzzHub): string | undefined {
  if (path.startsWith('/api/v1/devices/{id}')) return h.responder.id;
  if (path.startsWith('/api/v1/schedules/{id}')) return h.known.scheduleId;
  if (path.startsWith('/api/v1/commands/{id}')) return h.known.commandId;
  return undefined;
}

function requestArbitrary(op: Operation, h: FuzzHub): fc.Arbitrary<FuzzRequest> {
  const known = knownId(op.path, h);
  // Deleting what the fuzz itself stands on would end the run: deletes only name what may not exist.
  const id =
    known && op.method !== 'DELETE'
      ? fc.oneof({ weight: 6, arbitrary: fc.constant(known) }, { weight: 1, arbitrary: randomSegment })
      : randomSegment;
  const path = id.map((value) => op.path.replace(/\{[^}]+\}/g, value));
  const query = fc
    .tuple(
      ...op.query.map((q) =>
        fc.option(
          fc
            .oneof(
              fc.constantFrom('0', '1', '50', '-1', '30000', '1e3', 'abc', '', '9999999999999'),
              fc.string({ maxLength: 12 }),
            )
            .map((v) => `${q.name}=${encodeURIComponent(v)}`),
          { nil: undefined },
        ),
      ),
    )
    .map((parts) => parts.filter(Boolean).join('&'));
  const token = fc.oneof(
    { weight: op.public ? 1 : 10, arbitrary: fc.constant(h.adminToken) },
    { weight: 1, arbitrary: fc.constant(h.controlToken) },
    { weight: op.public ? 8 : 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x21-\x7e]/g, 'x')) },
  );
  const contentType = fc.oneof(
    { weight: 10, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'text/plain',
        'application/json; charset=utf-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        undefined,
      ),
    },
  );
  const body = op.body
    ? hostilePayload(
        op.body,
        MAX_BODY_BYTES,
        { deviceId: [h.responder.id], capability: ['power', 'brightness'], cron: QUIET_CRONS, tz: ['UTC'] },
        examples(h)[`${op.method} ${op.path}`],
      ).map((b): Buffer | undefined => b)
    : fc.constant(undefined);
  return fc
    .record({ path, query, token, contentType, body })
    .map(({ path, query, token, contentType, body }) => {
      const headers: Record<string, string> = {};
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (body && contentType) headers['content-type'] = contentType;
      return {
        op,
        url: `${h.baseUrl}${path}${query ? `?${query}` : ''}`,
        headers,
        ...(body ? { body } : {}),
      };
    });
}

/**
 * The one write a refusal is meant to make: a wrong pairing code is recorded in the audit log
 * (bounded by the pairing rate limit: refusals past it are not recorded).
 */
function auditedRefusal(op: Operation, status: number, change: RowChange): boolean {
  return (
    op.path === '/api/v1/pair' &&
    status === 401 &&
    change.table === 'audit_log' &&
    change.op === 'insert' &&
    change.row.action === 'pair.refused'
  );
}

function isErrorEnvelope(body: unknown): boolean {
  const b = body as { ok?: unknown; error?: { code?: unknown; message?: unknown } } | null;
  return b?.ok === false && typeof b.error?.code === 'string' && typeof b.error.message === 'string';
}

export async function fuzzHttpApi(h: FuzzHub, tally: FuzzTally, runs: number, seed: number): Promise<void> {
  const res = await fetch(`${h.baseUrl}/api/v1/openapi.json`, {
    headers: { authorization: `Bearer ${h.adminToken}` },
  });
  const ops = operationsOf((await res.json()) as OpenApiDoc);
  for (const op of ops) tally.declare(`${op.method} ${op.path}`);
  // Operations with a body have the most to get wrong: they get most of the inputs.
  const requests = fc.oneof(
    ...ops.map((op) => ({ weight: op.body ? 4 : 1, arbitrary: requestArbitrary(op, h) })),
  );

  const send = async (req: FuzzRequest) => {
    const label = `${req.op.method} ${req.op.path}`;
    const res = await fetch(req.url, {
      method: req.op.method,
      headers: req.headers,
      ...(req.body ? { body: new Uint8Array(req.body) } : {}),
    });
    const text = await res.text();
    await h.settle();
    // A 504 from the commands route is an accepted command the device has not acknowledged yet.
    const refused = res.status >= 400 && res.status !== 504;
    tally.count(label, refused);
    const input = `${req.op.method} ${req.url.slice(h.baseUrl.length)} ${JSON.stringify(req.headers)} ${req.body?.toString('utf8') ?? ''}`;
    if (res.status >= 500 && !(res.status === 504 && req.op.statuses.includes('504')))
      tally.report(label, `answered ${res.status}: ${text.slice(0, 200)}`, input);
    else if (!req.op.statuses.includes(String(res.status)))
      tally.report(label, `answered ${res.status}, which the OpenAPI document does not list`, input);
    if (res.status >= 400) {
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {}
      if (!isErrorEnvelope(body))
        tally.report(label, `a ${res.status} without the error envelope: ${text.slice(0, 120)}`, input);
    }
    const changes = h.changes.take();
    const unexpected = refused ? changes.filter((c) => !auditedRefusal(req.op, res.status, c)) : [];
    if (unexpected.length > 0)
      tally.report(
        label,
        `a refused request (${res.status}) changed rows: ${describeChanges(unexpected)}`,
        input,
      );
    for (const line of h.takeErrors()) tally.report(label, `the hub logged an error: ${line}`, input);
  };
  await fc.assert(fc.asyncProperty(requests, send), { numRuns: runs, seed, endOnFailure: true });
}
