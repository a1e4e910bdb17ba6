// /api/v1/schedules (CRUD and each schedule's runs) and /api/v1/schedule-runs (the whole log).
import { Hono } from 'hono';
import { HearthError } from '../../shared/errors.js';
import { type ApiEnv, type ApiModule, readJson, requireRight } from '../api/route-module.js';
import { scheduleRunsOpenApi, schedulesOpenApi } from './routes-openapi.js';
import type { RunLog } from './run-log.js';
import type { ScheduleService } from './schedule-service.js';
import { CreateScheduleBodySchema, PatchScheduleBodySchema, RunsQuerySchema } from './schemas.js';

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

  return [
    { basePath: '/api/v1/schedules', app, openapi: schedulesOpenApi() },
    { basePath: '/api/v1/schedule-runs', app: runs, openapi: scheduleRunsOpenApi() },
  ];
}
