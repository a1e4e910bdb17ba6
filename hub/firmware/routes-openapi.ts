// The OpenAPI description of the firmware routes (admin and device download), apart from the
// handlers so each file holds one concern; routes.ts and image-download.ts must change with it.
import { z } from 'zod';
import { errorResponse, errors, jsonResponse, op, pathParam } from '../api/openapi-helpers.js';
import type { OpenApiPaths } from '../api/route-module.js';
import { ImageViewSchema, RolloutStartSchema, RolloutViewSchema } from './schemas.js';

const TAG = 'firmware';
const ImagesSchema = z.object({ images: z.array(ImageViewSchema) });
const RolloutsSchema = z.object({ rollouts: z.array(RolloutViewSchema) });

/** Built when the API is assembled, not on import. */
export function firmwareOpenApi(): OpenApiPaths {
  const id = [pathParam('id', 'rollout id')];
  return {
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
  };
}

export function imageDownloadOpenApi(): OpenApiPaths {
  return {
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
  };
}
