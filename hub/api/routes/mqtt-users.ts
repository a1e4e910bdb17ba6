// /api/v1/mqtt-users: integration users on MQTT (Home Assistant, Node-RED, bridges), admin only.
import { Hono } from 'hono';
import { z } from 'zod';
import { MqttUserInputSchema, type MqttUserService, MqttUserViewSchema } from '../../security/mqtt-users.js';
import { errors, jsonResponse, op, pathParam } from '../openapi-helpers.js';
import { type ApiEnv, type ApiModule, readJson, requireRight } from '../route-module.js';

const CreatedSchema = z.object({ user: MqttUserViewSchema, password: z.string() });

export function createMqttUsersModule(users: MqttUserService): ApiModule {
  const app = new Hono<ApiEnv>();
  const actor = (c: { get(k: 'auth'): { tokenId: string } }) => `token:${c.get('auth').tokenId}`;
  app.get('/', (c) => {
    requireRight(c, 'hub.manage');
    return c.json({ users: users.list() });
  });
  app.post('/', async (c) => {
    requireRight(c, 'hub.manage');
    return c.json(users.add(await readJson(c, MqttUserInputSchema), actor(c)), 201);
  });
  app.delete('/:name', (c) => {
    requireRight(c, 'hub.manage');
    return c.json(users.remove(c.req.param('name'), actor(c)));
  });
  return {
    basePath: '/api/v1/mqtt-users',
    app,
    openapi: {
      '/api/v1/mqtt-users': {
        get: op(
          'MQTT users for integrations',
          'integrations',
          { '200': jsonResponse('users', z.object({ users: z.array(MqttUserViewSchema) })), ...errors() },
          { right: 'hub.manage' },
        ),
        post: op(
          'Add an MQTT user with publish and subscribe filters; the password is shown once',
          'integrations',
          {
            '201': jsonResponse('added', CreatedSchema),
            ...errors(
              [400, 'malformed JSON'],
              [409, 'the name is taken (conflict)'],
              [413, 'body too large'],
              [422, 'bad name or filter (invalid_payload)'],
            ),
          },
          { body: MqttUserInputSchema, right: 'hub.manage' },
        ),
      },
      '/api/v1/mqtt-users/{name}': {
        delete: op(
          'Remove an MQTT user; its sessions end at once',
          'integrations',
          {
            '200': jsonResponse('removed', MqttUserViewSchema),
            ...errors([404, 'no such user (not_found)']),
          },
          { parameters: [pathParam('name', 'user name')], right: 'hub.manage' },
        ),
      },
    },
  };
}
