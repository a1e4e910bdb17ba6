// /api/v1/firmware: upload update images, start, watch and halt rollouts (token; admin to change
// anything), and the download devices fetch an offered image from (image-download.ts).
import { Hono } from 'hono';
import { SIGNATURE_BYTES, UPDATE_HEADER_BYTES, UPDATE_MAX_PAYLOAD_BYTES } from '../../shared/update-image.js';
import { readBody } from '../api/request-body.js';
import { type ApiEnv, type ApiModule, readJson, requireRight } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import type { FirmwareService } from './firmware-service.js';
import { createImageDownloadApp } from './image-download.js';
import type { ImageFiles } from './image-files.js';
import { firmwareOpenApi, imageDownloadOpenApi } from './routes-openapi.js';
import { RolloutStartSchema } from './schemas.js';

export { parseRange } from './image-download.js';

export const MAX_IMAGE_BYTES = UPDATE_HEADER_BYTES + UPDATE_MAX_PAYLOAD_BYTES + SIGNATURE_BYTES;

export function createFirmwareModules(
  ctx: CoreContext,
  service: FirmwareService,
  files: ImageFiles,
): ApiModule[] {
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

  return [
    {
      basePath: '/api/v1/firmware',
      app,
      bodyLimits: { '/api/v1/firmware/images': MAX_IMAGE_BYTES },
      openapi: firmwareOpenApi(),
    },
    {
      basePath: '/api/v1/firmware/images',
      app: createImageDownloadApp(ctx, service, files),
      // Devices have no API token: the route checks their MQTT credentials itself.
      public: true,
      openapi: imageDownloadOpenApi(),
    },
  ];
}
