// The OpenAPI description of /api/v1/devices, from the same zod schemas its routes validate with.
import { z } from 'zod';
import { CommandRecordSchema, DeviceViewSchema } from '../../../shared/views.js';
import { errors, jsonResponse, op, pathParam, queryParam } from '../openapi-helpers.js';
import type { OpenApiPaths } from '../route-module.js';
import {
  CommandBodySchema,
  CreateDeviceBodySchema,
  CreateDeviceResponseSchema,
  HistoryEntrySchema,
  PatchDeviceBodySchema,
} from '../schemas.js';

const idParam = pathParam('id', 'device id');
const Devices = z.object({ devices: z.array(DeviceViewSchema) });
const Commands = z.object({ commands: z.array(CommandRecordSchema) });
const History = z.object({ history: z.array(HistoryEntrySchema) });
const unknown: [number, string] = [404, 'no such device (code unknown_device)'];

/** The collection: list and register. */
function collectionPaths(): OpenApiPaths {
  return {
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
  };
}

/** One device: read, rename or move, remove. */
function devicePaths(): OpenApiPaths {
  return {
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
  };
}

/** A device's commands: send one (and wait for its ack), list the recent ones. */
function commandPaths(): OpenApiPaths {
  return {
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
  };
}

/** A device's reported-state history. */
function historyPaths(): OpenApiPaths {
  return {
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
  };
}

export function devicesOpenApi(): OpenApiPaths {
  return { ...collectionPaths(), ...devicePaths(), ...commandPaths(), ...historyPaths() };
}
