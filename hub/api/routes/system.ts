// /api/v1/commands/:id, /api/v1/health, /api/v1/openapi.json and /metrics.
import { Hono } from 'hono';
import { HearthError } from '../../../shared/errors.js';
import { CommandRecordSchema } from '../../../shared/views.js';
import type { CoreContext } from '../../core/context.js';
import { hearthVersion } from '../../infra/version.js';
import { errors, jsonResponse, op, pathParam } from '../openapi-helpers.js';
import { type ApiEnv, type ApiModule, type OpenApiPaths, requireRight } from '../route-module.js';
import { HealthSchema } from '../schemas.js';

export type HealthReport = Record<string, { ok: boolean; detail?: Record<string, unknown> }>;

export function createSystemModule(
  ctx: CoreContext,
  health: () => HealthReport,
  openapiDocument: () => Record<string, unknown>,
): ApiModule {
  const app = new Hono<ApiEnv>();
  const startedAt = ctx.clock.now();

  app.get('/api/v1/commands/:id', (c) => {
    const record = ctx.commands.get(c.req.param('id'));
    if (!record) throw new HearthError('not_found', `no command with id ${c.req.param('id')}`);
    requireRight(c, 'devices.read', { deviceId: record.deviceId });
    return c.json(record);
  });

  app.get('/api/v1/health', (c) => {
    const components = health();
    const ok = Object.values(components).every((s) => s.ok);
    return c.json({
      status: ok ? ('ok' as const) : ('degraded' as const),
      version: hearthVersion(),
      uptimeSeconds: Math.round((ctx.clock.now() - startedAt) / 1000),
      components,
    });
  });

  app.get('/api/v1/openapi.json', (c) => c.json(openapiDocument()));

  app.get('/metrics', (c) => {
    requireRight(c, 'hub.manage');
    return c.text(ctx.metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' });
  });

  const paths: OpenApiPaths = {
    '/api/v1/commands/{id}': {
      get: op(
        'One command and its status',
        'commands',
        {
          '200': jsonResponse('the command', CommandRecordSchema),
          ...errors([404, 'no such command (not_found)']),
        },
        { parameters: [pathParam('id', 'command id')], right: 'devices.read', perDevice: true },
      ),
    },
    '/api/v1/health': {
      get: op('Each component and dependency, and whether it is well', 'system', {
        '200': jsonResponse('health', HealthSchema),
        ...errors(),
      }),
    },
    '/api/v1/openapi.json': {
      get: op('This document', 'system', {
        '200': {
          description: 'OpenAPI 3.1 document',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        ...errors(),
      }),
    },
    '/metrics': {
      get: op(
        'Prometheus metrics',
        'system',
        {
          '200': {
            description: 'text exposition format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errors(),
        },
        { right: 'hub.manage' },
      ),
    },
  };
  return { basePath: '/', app, openapi: paths };
}
