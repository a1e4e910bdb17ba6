// The firmware unit: signed update images uploaded to the hub, staged rollouts (canary, waves,
// halting on failures) offered to devices over MQTT, and the ranged download they fetch from.

import type { ApiUnit } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import { createFirmwareService, type FirmwareService } from './firmware-service.js';
import { createFirmwareStore } from './firmware-store.js';
import { createImageFiles } from './image-files.js';
import { createRolloutEngine } from './rollout-engine.js';
import { createFirmwareModules } from './routes.js';

export interface FirmwareUnit extends ApiUnit {
  readonly service: FirmwareService;
}

export function createFirmware(ctx: CoreContext): FirmwareUnit {
  const store = createFirmwareStore(ctx);
  const files = createImageFiles(ctx.config.dataDir);
  const engine = createRolloutEngine(ctx, store);
  const service = createFirmwareService(ctx, { store, files, engine });
  return {
    name: 'firmware',
    service,
    apiModules: createFirmwareModules(ctx, service, files),
    start: () => engine.start(),
    stop: () => engine.stop(),
    health: () => ({ ok: true, detail: { rolloutsRunning: store.running().length } }),
  };
}
