import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../support/hub.js';

type Operation = { security?: unknown[]; responses: Record<string, unknown>; requestBody?: unknown };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

/**
 * An OpenAPI-driven probe, the way outside API testers work: for every documented operation, call it
 * without a token, with a malformed body and with an empty body, and check the hub answers only
 * statuses the document lists — and never a 5xx (504 is a documented timeout, not a crash).
 */
describe('the OpenAPI document is true to what the API answers', () => {
  let t: TestHub;
  let doc: Doc;
  let deviceId: string;
  beforeAll(async () => {
    t = await startTestHub();
    deviceId = (await t.connectDevice('tv')).id;
    const res = await t.api('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const concrete = (path: string) => path.replace('{id}', deviceId).replace(/\{[^}]+\}/g, 'nonexistent');

  it('is OpenAPI 3.1 and documents the core routes', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/api/v1/devices',
      '/api/v1/devices/{id}/commands',
      '/api/v1/pair',
      '/api/v1/events',
      '/api/v1/health',
      '/metrics',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });

  it('every operation answers only documented statuses, never a 5xx, with and without a token', async () => {
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (path === '/api/v1/events' || (method === 'delete' && path === '/api/v1/devices/{id}')) continue; // streamed / destructive: own tests
        const documented = Object.keys(op.responses);
        const probes: Array<{
          label: string;
          init: RequestInit & { json?: unknown; token?: string | null };
        }> = [{ label: 'no token', init: { method: method.toUpperCase(), token: null } }];
        if (op.requestBody) {
          probes.push(
            {
              label: 'malformed',
              init: {
                method: method.toUpperCase(),
                body: '{"x":',
                headers: { 'content-type': 'application/json' },
              },
            },
            { label: 'wrong shape', init: { method: method.toUpperCase(), json: { unexpected: [1, 2, 3] } } },
          );
        } else if (method === 'get') {
          probes.push({ label: 'authorised', init: { method: 'GET' } });
        }
        for (const { label, init } of probes) {
          const res = await t.api(concrete(path), init);
          await res.arrayBuffer();
          const isPublic = Array.isArray(op.security) && op.security.length === 0;
          if (res.status >= 500 && res.status !== 504)
            problems.push(`${method} ${path} (${label}) → ${res.status}`);
          if (!documented.includes(String(res.status)))
            problems.push(`${method} ${path} (${label}) → undocumented ${res.status}`);
          if (label === 'no token' && !isPublic && res.status !== 401)
            problems.push(`${method} ${path} answered ${res.status} without a token`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
