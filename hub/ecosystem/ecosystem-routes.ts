// GET /api/v1/ecosystem/entities: every discovery config Hearth has seen, on its own broker and on
// each bridge — which device it became part of, or why it was not used (an unsupported component,
// a bad config, a capability already taken by another entity of the device).
import { Hono } from 'hono';
import { z } from 'zod';
import { errors, jsonResponse, op } from '../api/openapi-helpers.js';
import { type ApiEnv, type ApiModule, requireRight } from '../api/route-module.js';
import type { DiscoveryConsumer } from './discovery-consumer.js';

export const EntityStatusSchema = z.object({
  source: z.string(),
  configTopic: z.string(),
  component: z.string(),
  deviceId: z.string().nullable(),
  ok: z.boolean(),
  reason: z.string().optional(),
});

export function createEcosystemModule(
  consumers: Array<{ source: string; consumer: DiscoveryConsumer }>,
): ApiModule {
  const app = new Hono<ApiEnv>();
  app.get('/entities', (c) => {
    requireRight(c, 'hub.manage');
    const entities = consumers.flatMap(({ source, consumer }) =>
      consumer.entities().map((e) => ({ source, ...e })),
    );
    return c.json({ entities });
  });
  return {
    basePath: '/api/v1/ecosystem',
    app,
    openapi: {
      '/api/v1/ecosystem/entities': {
        get: op(
          'Home Assistant discovery configs seen, the device each became part of, or why it was not used',
          'integrations',
          {
            '200': jsonResponse('entities', z.object({ entities: z.array(EntityStatusSchema) })),
            ...errors(),
          },
          { right: 'hub.manage' },
        ),
      },
    },
  };
}
