// /api/v1/devices: the registry, the command path and state history.
import { and, desc, eq, gt } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { HearthError } from '../../../shared/errors.js';
import { isDeviceId } from '../../../shared/topics.js';
import type { CoreContext, DeviceView } from '../../context.js';
import { canSeeDevice } from '../../security/rights.js';
import { stateHistory } from '../../store/schema/index.js';
import { errors, jsonResponse, op, pathParam, queryParam } from '../openapi-helpers.js';
import { type ApiEnv, type ApiModule, readJson, requireRight } from '../route-module.js';
import {
  CommandBodySchema,
  CommandRecordSchema,
  CreateDeviceBodySchema,
  CreateDeviceResponseSchema,
  DeviceViewSchema,
  HistoryEntrySchema,
  HistoryQuerySchema,
  IdempotencyKeySchema,
  PatchDeviceBodySchema,
  WaitQuerySchema,
} from '../schemas.js';

export function createDevicesModule(
  ctx: CoreContext,
  mqtt: () => { port: number; tlsPort: number; ca?: string },
): ApiModule {
  const app = new Hono<ApiEnv>();
  const device = (id: string): DeviceView => {
    const d = isDeviceId(id) ? ctx.registry.get(id) : undefined;
    if (!d) throw new HearthError('unknown_device', `no device with id ${id}`);
    return d;
  };

  /** The device, once the caller may see it (a guest sees only granted devices: others are forbidden). */
  const readable = (c: Context<ApiEnv>): DeviceView => {
    const d = device(c.req.param('id') ?? '');
    requireRight(c, 'devices.read', { deviceId: d.id });
    return d;
  };

  app.get('/', (c) => {
    requireRight(c, 'devices.read');
    const auth = c.get('auth');
    return c.json({ devices: ctx.registry.list().filter((d) => canSeeDevice(auth, d.id)) });
  });

  app.post('/', async (c) => {
    requireRight(c, 'devices.edit');
    const body = await readJson(c, CreateDeviceBodySchema);
    const { device: created, secret } = ctx.registry.create({
      name: body.name,
      model: body.model,
      room: body.room ?? null,
      ...(body.id ? { id: body.id } : {}),
    });
    // On mosquitto, answer once the device's credential is there: it may connect at once.
    await ctx.credentialsSettled?.();
    return c.json({ device: created, secret, mqtt: mqtt() }, 201);
  });

  app.get('/:id', (c) => c.json(readable(c)));

  app.patch('/:id', async (c) => {
    requireRight(c, 'devices.edit');
    const id = device(c.req.param('id')).id;
    const body = await readJson(c, PatchDeviceBodySchema);
    return c.json(ctx.registry.update(id, body as { name?: string; room?: string | null }));
  });

  app.delete('/:id', async (c) => {
    requireRight(c, 'devices.remove');
    await ctx.registry.remove(device(c.req.param('id')).id);
    return c.body(null, 204);
  });

  app.post('/:id/commands', async (c) => {
    // Needs devices.command on the device and capability (checked once the body names it).
    const id = device(c.req.param('id')).id;
    const waitRaw = c.req.query('wait');
    const wait = waitRaw === undefined ? undefined : WaitQuerySchema.safeParse(waitRaw);
    if (wait && !wait.success)
      throw new HearthError('invalid_payload', 'wait must be a whole number of ms from 0 to 30000');
    const keyRaw = c.req.header('idempotency-key');
    const key = keyRaw === undefined ? undefined : IdempotencyKeySchema.safeParse(keyRaw);
    if (key && !key.success)
      throw new HearthError('invalid_payload', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    const body = await readJson(c, CommandBodySchema);
    requireRight(c, 'devices.command', { deviceId: id, capability: body.capability });
    const record = await ctx.commands.issue(
      {
        deviceId: id,
        capability: body.capability,
        value: body.value,
        params: body.params,
        ttlMs: body.ttlMs,
        source: `token:${c.get('auth').tokenId}`,
      },
      { ...(wait ? { waitMs: wait.data } : {}), ...(key ? { idempotencyKey: key.data } : {}) },
    );
    if (record.status === 'done') return c.json(record, 200);
    // Refusals and timeouts go through the one error handler (counted in hearth_api_errors_total),
    // carrying the command record so the caller can follow it.
    if (record.status === 'failed' || record.status === 'expired') {
      throw new HearthError(
        record.error?.code ?? 'device_fault',
        record.error?.message ?? 'the device refused',
        {
          command: record,
        },
      );
    }
    const waited = wait?.data ?? ctx.config.commands.waitMs;
    if (ctx.registry.get(id)?.online && waited > 0) {
      throw new HearthError(
        'timeout',
        `the device did not answer within ${waited} ms; the command stays pending until it expires`,
        { command: record },
      );
    }
    return c.json(record, 202);
  });

  app.get('/:id/commands', (c) => {
    const id = readable(c).id;
    const limit = z.coerce.number().int().min(1).max(500).default(50).safeParse(c.req.query('limit'));
    if (!limit.success)
      throw new HearthError('invalid_payload', 'limit must be a whole number from 1 to 500');
    return c.json({ commands: ctx.commands.list({ deviceId: id, limit: limit.data }) });
  });

  app.get('/:id/history', (c) => {
    const id = readable(c).id;
    const q = HistoryQuerySchema.safeParse(c.req.query());
    if (!q.success) throw new HearthError('invalid_payload', 'since must be epoch ms; limit 1 to 1000');
    const where =
      q.data.since !== undefined
        ? and(eq(stateHistory.deviceId, id), gt(stateHistory.at, q.data.since))
        : eq(stateHistory.deviceId, id);
    ctx.writes.flush(); // history rows of reports received this turn
    const rows = ctx.store.db
      .select({ seq: stateHistory.seq, values: stateHistory.values, at: stateHistory.at })
      .from(stateHistory)
      .where(where)
      .orderBy(desc(stateHistory.at))
      .limit(q.data.limit)
      .all();
    return c.json({ history: rows });
  });

  const idParam = pathParam('id', 'device id');
  const Devices = z.object({ devices: z.array(DeviceViewSchema) });
  const Commands = z.object({ commands: z.array(CommandRecordSchema) });
  const History = z.object({ history: z.array(HistoryEntrySchema) });
  const unknown: [number, string] = [404, 'no such device (code unknown_device)'];
  return {
    basePath: '/api/v1/devices',
    app,
    openapi: {
      '/api/v1/devices': {
        get: op(
          'List devices with live state and availability',
          'devices',
          {
            '200': jsonResponse('the devices (a guest sees only its granted ones)', Devices),
            ...errors(),
          },
          { right: 'devices.read' },
        ),
        post: op(
          'Register a device (used by `hearth flash`); returns its one-time secret',
          'devices',
          {
            '201': jsonResponse('registered', CreateDeviceResponseSchema),
            ...errors(
              [400, 'malformed JSON (invalid_json) or bad id'],
              [409, 'id taken (conflict)'],
              [413, 'body too large'],
              [422, 'invalid body (invalid_payload)'],
            ),
          },
          { body: CreateDeviceBodySchema, right: 'devices.edit' },
        ),
      },
      '/api/v1/devices/{id}': {
        get: op(
          'One device',
          'devices',
          { '200': jsonResponse('the device', DeviceViewSchema), ...errors(unknown) },
          { parameters: [idParam], right: 'devices.read', perDevice: true },
        ),
        patch: op(
          'Rename a device or move it to another room',
          'devices',
          {
            '200': jsonResponse('updated', DeviceViewSchema),
            ...errors([400, 'malformed JSON'], unknown, [413, 'body too large'], [422, 'invalid body']),
          },
          { parameters: [idParam], body: PatchDeviceBodySchema, right: 'devices.edit' },
        ),
        delete: op(
          'Remove a device: revokes its credentials and clears its retained topics',
          'devices',
          { '204': { description: 'removed' }, ...errors(unknown) },
          { parameters: [idParam], right: 'devices.remove' },
        ),
      },
      '/api/v1/devices/{id}/commands': {
        post: op(
          'Send a command and wait for the device to acknowledge it',
          'commands',
          {
            '200': jsonResponse('the device acknowledged it', CommandRecordSchema),
            '202': jsonResponse(
              'accepted but not acknowledged yet: the device is offline (answered at once; it gets the command when back, until expiresAt), or wait=0',
              CommandRecordSchema,
            ),
            ...errors(
              [400, 'malformed JSON (invalid_json)'],
              unknown,
              [
                409,
                'the device refused (expired, device_fault, duplicate), or the Idempotency-Key was used with another request (conflict)',
              ],
              [413, 'body too large'],
              [
                422,
                'unknown_capability, unsupported, out_of_range or invalid_payload (also a bad Idempotency-Key)',
              ],
              [504, 'the device did not answer within wait (timeout); the command stays pending'],
            ),
          },
          {
            parameters: [
              idParam,
              queryParam('wait', 'ms to wait for the ack of an online device (0–30000, default 3000)', {
                type: 'integer',
                minimum: 0,
                maximum: 30000,
              }),
              {
                name: 'Idempotency-Key',
                in: 'header',
                required: false,
                description:
                  'a key of your choosing (1–255 visible ASCII characters), kept 24 h: a retry with the same key and body answers with the command the first request made instead of making another; the same key with another body is refused (409 conflict)',
                schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
              },
            ],
            body: CommandBodySchema,
            right: 'devices.command',
            perDevice: true,
          },
        ),
        get: op(
          'Recent commands of a device',
          'commands',
          { '200': jsonResponse('newest first', Commands), ...errors(unknown, [422, 'bad limit']) },
          {
            parameters: [
              idParam,
              queryParam('limit', '1–500, default 50', { type: 'integer', minimum: 1, maximum: 500 }),
            ],
            right: 'devices.read',
            perDevice: true,
          },
        ),
      },
      '/api/v1/devices/{id}/history': {
        get: op(
          'Reported-state history',
          'devices',
          { '200': jsonResponse('newest first', History), ...errors(unknown, [422, 'bad query']) },
          {
            parameters: [
              idParam,
              queryParam('since', 'epoch ms', { type: 'integer', minimum: 0 }),
              queryParam('limit', '1–1000, default 100', { type: 'integer', minimum: 1, maximum: 1000 }),
            ],
            right: 'devices.read',
            perDevice: true,
          },
        ),
      },
    },
  };
}
