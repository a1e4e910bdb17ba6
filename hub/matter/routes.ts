// /api/v1/matter: the bridge's status and pairing code (shown on the app's Hub screen), and
// decommissioning. The pairing code lets anyone in range add the bridge to their home: admins only.
import { Hono } from 'hono';
import { errors, jsonResponse, op } from '../api/openapi-helpers.js';
import type { ApiEnv, ApiModule } from '../api/route-module.js';
import { requireRight } from '../api/route-module.js';
import { type MatterStatus, MatterStatusSchema } from './status.js';

export interface MatterControl {
  status(): MatterStatus;
  decommission(): Promise<MatterStatus>;
}

export function createMatterRoutes(control: MatterControl): ApiModule {
  const app = new Hono<ApiEnv>();
  app.get('/', (c) => {
    requireRight(c, 'hub.manage');
    return c.json(control.status());
  });
  app.post('/decommission', async (c) => {
    requireRight(c, 'hub.manage');
    return c.json(await control.decommission());
  });
  return {
    basePath: '/api/v1/matter',
    app,
    openapi: {
      '/api/v1/matter': {
        get: op(
          'The Matter bridge: state, pairing code and QR payload, fabrics, bridged devices',
          'matter',
          { '200': jsonResponse('the bridge', MatterStatusSchema), ...errors() },
          { right: 'hub.manage' },
        ),
      },
      '/api/v1/matter/decommission': {
        post: op(
          'Leave every Matter fabric (Apple Home, Google Home, Alexa) and open commissioning again',
          'matter',
          {
            '200': jsonResponse('decommissioned; the new status', MatterStatusSchema),
            ...errors([409, 'the bridge is not running (conflict)']),
          },
          { right: 'hub.manage' },
        ),
      },
    },
  };
}
