// /api/v1/firmware: upload update images, start, watch and halt rollouts (token; admin to change
// anything), and the download devices fetch an offered image from (their own credentials, HTTP
// Basic; Range requests answered with 206 so a dropped download resumes).
import { Hono } from 'hono';
import { z } from 'zod';
import { HearthError } from '../../shared/errors.js';
import { SIGNATURE_BYTES, UPDATE_HEADER_BYTES, UPDATE_MAX_PAYLOAD_BYTES } from '../../shared/update-image.js';
import { requestHeader } from '../api/node-request.js';
import { errorResponse, errors, jsonResponse, op, pathParam } from '../api/openapi-helpers.js';
import { readBody } from '../api/request-body.js';
import { type ApiEnv, type ApiModule, readJson, requireRight } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import type { FirmwareService } from './firmware-service.js';
import type { ImageFiles } from './image-files.js';
import { ImageViewSchema, RolloutStartSchema, RolloutViewSchema } from './schemas.js';

const TAG = 'firmware';
export const MAX_IMAGE_BYTES = UPDATE_HEADER_BYTES + UPDATE_MAX_PAYLOAD_BYTES + SIGNATURE_BYTES;
const ImagesSchema = z.object({ images: z.array(ImageViewSchema) });
const RolloutsSchema = z.object({ rollouts: z.array(RolloutViewSchema) });

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` → [start, end] inclusive; null to send everything. */
export function parseRange(
  header: string | undefined,
  size: number,
): [number, number] | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // several ranges or junk: the whole file
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(size - 1, Number(m[2]));
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}

export function createFirmwareModules(
  ctx: CoreContext,
  service: FirmwareService,
  files: ImageFiles,
): ApiModule[] {
  const downloaded = ctx.metrics.counter(
    'hearth_firmware_download_bytes_total',
    'Firmware image bytes sent to devices',
  );
  const ranged = ctx.metrics.counter(
    'hearth_firmware_range_requests_total',
    'Firmware downloads that resumed with a Range request',
  );
  const app = new Hono<ApiEnv>();
  app.get('/images', (c) => {
    requireRight(c, 'devices.firmware');
    return c.json({ images: service.images() });
  });
  app.post('/images', async (c) => {
    requireRight(c, 'devices.firmware');
    const { image, created } = service.upload(await readBody(c, MAX_IMAGE_BYTES));
    return c.json(image, created ? 201 : 200);
  });
  app.get('/rollouts', (c) => {
    requireRight(c, 'devices.firmware');
    return c.json({ rollouts: service.rollouts() });
  });
  app.post('/rollouts', async (c) => {
    requireRight(c, 'devices.firmware');
    return c.json(service.start(await readJson(c, RolloutStartSchema)), 201);
  });
  app.get('/rollouts/:id', (c) => {
    requireRight(c, 'devices.firmware');
    return c.json(service.rollout(c.req.param('id')));
  });
  app.post('/rollouts/:id/halt', (c) => {
    requireRight(c, 'devices.firmware');
    return c.json(service.halt(c.req.param('id')));
  });

  const download = new Hono<ApiEnv>();
  download.get('/:id/download', (c) => {
    const basic = /^Basic\s+(\S+)$/i.exec(requestHeader(c, 'authorization') ?? '')?.[1];
    const [deviceId, secret] = Buffer.from(basic ?? '', 'base64')
      .toString('utf8')
      .split(':', 2);
    if (!deviceId || !secret || !ctx.registry.verifySecret(deviceId, secret))
      throw new HearthError(
        'unauthorized',
        'a device downloads firmware with its own id and secret (HTTP Basic)',
      );
    const image = service.image(c.req.param('id'));
    if (!image) throw new HearthError('not_found', 'no such firmware image');
    const bytes = files.read(image.id);
    const range = parseRange(requestHeader(c, 'range'), bytes.length);
    const common = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag: `"${image.id}"`,
    };
    if (range === 'unsatisfiable')
      return c.json(
        { ok: false, error: { code: 'out_of_range', message: `the image has ${bytes.length} bytes` } },
        416,
        { 'content-range': `bytes */${bytes.length}` },
      );
    if (range === null) {
      downloaded.inc({}, bytes.length);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        ...common,
        'content-length': String(bytes.length),
      });
    }
    const [start, end] = range;
    ranged.inc();
    downloaded.inc({}, end - start + 1);
    // A view of the cached file, not a copy: a wave of downloads shares one buffer.
    return c.body(bytes.subarray(start, end + 1) as Uint8Array<ArrayBuffer>, 206, {
      ...common,
      'content-length': String(end - start + 1),
      'content-range': `bytes ${start}-${end}/${bytes.length}`,
    });
  });

  const id = [pathParam('id', 'rollout id')];
  return [
    {
      basePath: '/api/v1/firmware',
      app,
      bodyLimits: { '/api/v1/firmware/images': MAX_IMAGE_BYTES },
      openapi: {
        '/api/v1/firmware/images': {
          get: op(
            'Uploaded update images',
            TAG,
            {
              '200': jsonResponse('images', ImagesSchema),
              ...errors(),
            },
            { right: 'devices.firmware' },
          ),
          post: op(
            'Upload a signed update image (admin; the file from hearth firmware build, as application/octet-stream)',
            TAG,
            {
              '200': jsonResponse('already uploaded', ImageViewSchema),
              '201': jsonResponse('stored', ImageViewSchema),
              ...errors(
                [409, 'conflict: that model and version was uploaded as another image'],
                [413, 'payload_too_large'],
                [422, 'invalid_payload: not a valid update image'],
              ),
            },
            { right: 'devices.firmware' },
          ),
        },
        '/api/v1/firmware/rollouts': {
          get: op(
            'Rollouts, newest first, with progress per wave',
            TAG,
            {
              '200': jsonResponse('rollouts', RolloutsSchema),
              ...errors(),
            },
            { right: 'devices.firmware' },
          ),
          post: op(
            'Start a staged rollout (admin): canary, then waves; halts on failures',
            TAG,
            {
              '201': jsonResponse('the rollout', RolloutViewSchema),
              ...errors(
                [400, 'malformed JSON (invalid_json)'],
                [403, 'a downgrade without allowDowngrade (forbidden)'],
                [404, 'not_found: no such image uploaded'],
                [409, 'conflict: a rollout of that model is running, or no device needs it'],
                [413, 'payload_too_large'],
                [422, 'invalid_payload'],
              ),
            },
            { body: RolloutStartSchema, right: 'devices.firmware' },
          ),
        },
        '/api/v1/firmware/rollouts/{id}': {
          get: op(
            'One rollout, with every device',
            TAG,
            { '200': jsonResponse('the rollout', RolloutViewSchema), ...errors([404, 'not_found']) },
            { parameters: id, right: 'devices.firmware' },
          ),
        },
        '/api/v1/firmware/rollouts/{id}/halt': {
          post: op(
            'Halt a running rollout (admin): nobody else is offered the update',
            TAG,
            {
              '200': jsonResponse('the rollout', RolloutViewSchema),
              ...errors([404, 'not_found'], [409, 'conflict: not running']),
            },
            { parameters: id, right: 'devices.firmware' },
          ),
        },
      },
    },
    {
      basePath: '/api/v1/firmware/images',
      app: download,
      // Devices have no API token: the route checks their MQTT credentials itself.
      public: true,
      openapi: {
        '/api/v1/firmware/images/{id}/download': {
          get: {
            summary: 'Download an update image (a device, with its own credentials); supports Range',
            tags: [TAG],
            security: [{ deviceBasic: [] }],
            parameters: [
              pathParam('id', 'image id (sha256)'),
              {
                name: 'range',
                in: 'header',
                required: false,
                schema: { type: 'string' },
                description: 'bytes=N- to resume',
              },
            ],
            responses: {
              '200': { description: 'the image', content: { 'application/octet-stream': {} } },
              '206': { description: 'the requested range', content: { 'application/octet-stream': {} } },
              '401': errorResponse('not a device, or wrong secret (unauthorized)'),
              '404': errorResponse('no such image (not_found)'),
              '416': errorResponse('the range starts past the end (out_of_range)'),
            },
          },
        },
      },
    },
  ];
}
