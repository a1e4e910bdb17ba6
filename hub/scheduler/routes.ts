// /api/v1/schedules (CRUD and each schedule's runs) and /api/v1/schedule-runs (the whole log).
import { Hono } from 'hono';
import { z } from 'zod';
import { HearthError } from '../../shared/errors.js';
import { errors, jsonResponse, op, pathParam, queryParam } from '../api/openapi-helpers.js';
import { type ApiEnv, type ApiModule, readJson, requireRight } from '../api/route-module.js';
import type { RunLog } from './run-log.js';
import type { ScheduleService } from './schedule-service.js';
import {
  CreateScheduleBodySchema,
  PatchScheduleBodySchema,
  RunsQuerySchema,
  RunViewSchema,
  ScheduleViewSchema,
} from './schemas.js';

const TAG = 'schedules';
const ListSchema = z.object({ schedules: z.array(ScheduleViewSchema) });
const RunsSchema = z.object({ runs: z.array(RunViewSchema) });
const runsParams = [
  queryParam('limit', '1 to 1000 (default 100)', { type: 'integer' }),
  queryParam('before', 'only runs scheduled before this epoch ms', { type: 'integer' }),
];

function runsQuery(query: Record<string, string>) {
  const q = RunsQuerySchema.safeParse(query);
  if (!q.success)
    throw new HearthError('invalid_payload', 'limit is 1 to 1000; before is epoch ms; deviceId a device id');
  return q.data;
}

export function createSchedulesModules(service: ScheduleService, runLog: RunLog): ApiModule[] {
  const app = new Hono<ApiEnv>();
  app.get('/', (c) => {
    requireRight(c, 'schedules.read');
    const deviceId = c.req.query('deviceId');
    return c.json({ schedules: service.list(deviceId ? { deviceId } : {}) });
  });
  app.post('/', async (c) => {
    requireRight(c, 'schedules.write');
    return c.json(await service.create(await readJson(c, CreateScheduleBodySchema)), 201);
  });
  app.get('/:id', (c) => {
    requireRight(c, 'schedules.read');
    return c.json(service.get(c.req.param('id')));
  });
  app.patch('/:id', async (c) => {
    requireRight(c, 'schedules.write');
    const id = c.req.param('id');
    service.get(id);
    return c.json(await service.update(id, await readJson(c, PatchScheduleBodySchema)));
  });
  app.delete('/:id', async (c) => {
    requireRight(c, 'schedules.write');
    await service.remove(c.req.param('id'));
    return c.body(null, 204);
  });
  app.get('/:id/runs', (c) => {
    requireRight(c, 'schedules.read');
    const id = service.get(c.req.param('id')).id;
    const q = runsQuery(c.req.query());
    return c.json({
      runs: runLog.list({
        scheduleId: id,
        limit: q.limit,
        ...(q.before !== undefined ? { before: q.before } : {}),
      }),
    });
  });

  const runs = new Hono<ApiEnv>();
  runs.get('/', (c) => {
    requireRight(c, 'schedules.read');
    const q = runsQuery(c.req.query());
    return c.json({
      runs: runLog.list({
        limit: q.limit,
        ...(q.before !== undefined ? { before: q.before } : {}),
        ...(q.deviceId !== undefined ? { deviceId: q.deviceId } : {}),
      }),
    });
  });

  const id = [pathParam('id', 'schedule id')];
  const refusals: Array<[number, string]> = [
    [400, 'malformed JSON (invalid_json)'],
    [404, 'unknown_device (target) or not_found'],
    [413, 'body too large (payload_too_large)'],
    [409, 'conflict: the id is taken'],
    [422, 'invalid_cron, unknown_time_zone, unknown_capability, unsupported, invalid_payload, out_of_range'],
  ];
  return [
    {
      basePath: '/api/v1/schedules',
      app,
      openapi: {
        '/api/v1/schedules': {
          get: op(
            'List schedules (filter with ?deviceId=)',
            TAG,
            { '200': jsonResponse('schedules', ListSchema), ...errors() },
            {
              parameters: [queryParam('deviceId', 'only this device', { type: 'string' })],
              right: 'schedules.read',
            },
          ),
          post: op(
            'Create a schedule (schedules.write); runs on the device when it keeps schedules, else in the hub',
            TAG,
            {
              '201': jsonResponse('the schedule', ScheduleViewSchema),
              ...errors(...refusals),
            },
            { body: CreateScheduleBodySchema, right: 'schedules.write' },
          ),
        },
        '/api/v1/schedules/{id}': {
          get: op(
            'One schedule, with its next run and sync state',
            TAG,
            { '200': jsonResponse('the schedule', ScheduleViewSchema), ...errors([404, 'not_found']) },
            { parameters: id, right: 'schedules.read' },
          ),
          patch: op(
            'Change a schedule (schedules.write); cron, at or sun replaces the whole timing',
            TAG,
            {
              '200': jsonResponse('the schedule', ScheduleViewSchema),
              ...errors(...refusals),
            },
            { body: PatchScheduleBodySchema, parameters: id, right: 'schedules.write' },
          ),
          delete: op(
            'Delete a schedule (schedules.write); its runs stay in the log',
            TAG,
            { '204': { description: 'deleted' }, ...errors([404, 'not_found']) },
            { parameters: id, right: 'schedules.write' },
          ),
        },
        '/api/v1/schedules/{id}/runs': {
          get: op(
            'Runs of one schedule, newest first (one per occurrence)',
            TAG,
            {
              '200': jsonResponse('runs', RunsSchema),
              ...errors([404, 'not_found'], [422, 'invalid_payload (limit or before)']),
            },
            {
              parameters: [...id, ...runsParams],
              right: 'schedules.read',
            },
          ),
        },
      },
    },
    {
      basePath: '/api/v1/schedule-runs',
      app: runs,
      openapi: {
        '/api/v1/schedule-runs': {
          get: op(
            'The run log of every schedule, newest first',
            TAG,
            { '200': jsonResponse('runs', RunsSchema), ...errors([422, 'invalid_payload']) },
            {
              parameters: [...runsParams, queryParam('deviceId', 'only this device', { type: 'string' })],
              right: 'schedules.read',
            },
          ),
        },
      },
    },
  ];
}
