// The OpenAPI description of the schedule routes, kept beside them but apart from the handlers so
// each file holds one concern; routes.ts must change with it.
import { z } from 'zod';
import { errors, jsonResponse, op, pathParam, queryParam } from '../api/openapi-helpers.js';
import type { OpenApiPaths } from '../api/route-module.js';
import {
  CreateScheduleBodySchema,
  PatchScheduleBodySchema,
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
const id = [pathParam('id', 'schedule id')];
const refusals: Array<[number, string]> = [
  [400, 'malformed JSON (invalid_json)'],
  [404, 'unknown_device (target) or not_found'],
  [413, 'body too large (payload_too_large)'],
  [409, 'conflict: the id is taken'],
  [422, 'invalid_cron, unknown_time_zone, unknown_capability, unsupported, invalid_payload, out_of_range'],
];

/** Built when the API is assembled, not on import. */
export const schedulesOpenApi = (): OpenApiPaths => ({
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
});

export const scheduleRunsOpenApi = (): OpenApiPaths => ({
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
});
