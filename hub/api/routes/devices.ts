// /api/v1/devices: the registry, the command path and state history.
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { HearthError } from '../../../shared/errors.js';
import { isDeviceId } from '../../../shared/topics.js';
import type { DeviceView } from '../../../shared/views.js';
import type { CoreContext } from '../../core/context.js';
import { canSeeDevice } from '../../core/rights.js';
import { type ApiEnv, type ApiModule, readJson, requireRight } from '../route-module.js';
import {
  CommandBodySchema,
  CreateDeviceBodySchema,
  HistoryQuerySchema,
  IdempotencyKeySchema,
  PatchDeviceBodySchema,
  WaitQuerySchema,
} from '../schemas.js';
import { devicesOpenApi } from './devices-openapi.js';

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
    ctx.writes.flush(); // history rows of reports received this turn
    const rows = ctx.repos.devices.history(id, q.data);
    return c.json({ history: rows });
  });

  return { basePath: '/api/v1/devices', app, openapi: devicesOpenApi() };
}
