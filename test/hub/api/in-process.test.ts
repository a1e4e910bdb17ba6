// The API answered in-process with hono's app.request(): the real app factory, token guard, error
// handler and a real route module on a real SQLite file, with no port, so every answer a caller can
// get is checked fast, and every error is counted in hearth_api_errors_total.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiApp } from '../../../hub/api/app.js';
import { createMqttUsersModule } from '../../../hub/api/routes/mqtt-users.js';
import type { HubContext } from '../../../hub/core/context.js';
import { createMqttUserService } from '../../../hub/security/mqtt-users.js';
import { createTokenService } from '../../../hub/security/token-service.js';
import { testContext } from '../../support/context.js';

let dataDir: string;
let ctx: HubContext;
let app: ReturnType<typeof createApiApp>;
let admin: string;
let member: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'hearth-api-'));
  ctx = testContext({ dataDir });
  const tokens = createTokenService(ctx.store, ctx.clock);
  const users = createMqttUserService(ctx.store, ctx.clock);
  admin = tokens.create({ name: 'owner', role: 'admin', actor: 'test' }).token;
  member = tokens.create({ name: 'flatmate', role: 'member', actor: 'test' }).token;
  const modules = [createMqttUsersModule(users)];
  app = createApiApp({ log: ctx.log, metrics: ctx.metrics, tokens, modules: () => modules });
});

afterEach(() => {
  ctx.store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = (path: string, init: { method?: string; token?: string; body?: string } = {}) =>
  app.request(path, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });

const errorCount = (code: string) => {
  const line = ctx.metrics
    .render()
    .split('\n')
    .find((l) => l.startsWith(`hearth_api_errors_total{code="${code}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('the API in-process (app.request)', () => {
  it('refuses without a token, and a member without hub.manage, each with its code, counted', async () => {
    const anonymous = await call('/api/v1/mqtt-users');
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const forbidden = await call('/api/v1/mqtt-users', { token: member });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { message: string } }).error.message).toContain(
      'hub.manage',
    );
    expect(errorCount('unauthorized')).toBe(1);
    expect(errorCount('forbidden')).toBe(1);
  });

  it('adds a user once; a second add, bad JSON and a bad filter are refused and change nothing', async () => {
    const body = JSON.stringify({ name: 'home-assistant', pub: ['homeassistant/#'], sub: ['hearth/#'] });
    const added = await call('/api/v1/mqtt-users', { method: 'POST', token: admin, body });
    expect(added.status).toBe(201);
    const { password } = (await added.json()) as { password: string };
    expect(password.length).toBeGreaterThan(20);

    const again = await call('/api/v1/mqtt-users', { method: 'POST', token: admin, body });
    expect(again.status).toBe(409);
    const badJson = await call('/api/v1/mqtt-users', { method: 'POST', token: admin, body: '{"name":' });
    expect(badJson.status).toBe(400);
    const badFilter = await call('/api/v1/mqtt-users', {
      method: 'POST',
      token: admin,
      body: JSON.stringify({ name: 'node-red', pub: ['a/#/b'], sub: [] }),
    });
    expect(badFilter.status).toBe(422);

    const list = (await (await call('/api/v1/mqtt-users', { token: admin })).json()) as {
      users: Array<{ name: string }>;
    };
    expect(list.users.map((u) => u.name)).toEqual(['home-assistant']);
    expect([errorCount('conflict'), errorCount('invalid_json'), errorCount('invalid_payload')]).toEqual([
      1, 1, 1,
    ]);
  });

  it('answers an unknown route with a 404 envelope', async () => {
    const res = await call('/api/v1/nothing-here', { token: admin });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no route GET /api/v1/nothing-here' },
    });
  });
});
