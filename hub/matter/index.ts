// The Matter bridge as a hub unit. Off by default; when `matter.enabled` is false nothing of
// matter.js is imported, so the hub's cold start and memory stay as they were. When on, it needs
// Hearth's mDNS (Matter is found by mDNS), and runs it on the same interfaces.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HearthError } from '../../shared/errors.js';
import type { ApiUnit } from '../api/route-module.js';
import type { CoreContext } from '../core/context.js';
import { ensurePrivateDir } from '../ops/private-files.js';
import type { MatterBridge } from './bridge.js';
import { createMatterIdentity } from './identity.js';
import { createMatterRoutes } from './routes.js';
import { loadMatter, matterDir } from './runtime.js';
import { type MatterStatus, PAIRING_FILE } from './status.js';

export function createMatter(ctx: CoreContext): ApiUnit {
  const { config } = ctx;
  const log = ctx.log.child({ module: 'matter' });
  let bridge: MatterBridge | undefined;
  let state: MatterStatus['state'] = 'off';
  let error: string | undefined;

  const status = (): MatterStatus => {
    const base = { enabled: config.matter.enabled, state, ...(error ? { error } : {}) };
    if (!bridge || state !== 'running') return base;
    const p = bridge.pairing();
    return { ...base, port: bridge.port, ...p };
  };

  /** Written for `hearth matter pairing`, which reads it with no hub to ask. */
  const writePairingFile = () => {
    const dir = matterDir(config.dataDir);
    ensurePrivateDir(dir);
    writeFileSync(join(dir, PAIRING_FILE), `${JSON.stringify(status(), null, 2)}\n`, { mode: 0o600 });
  };

  return {
    name: 'matter',
    apiModules: [
      createMatterRoutes({
        status,
        async decommission() {
          if (!bridge || state !== 'running')
            throw new HearthError('conflict', 'the Matter bridge is not running (set matter.enabled)');
          await bridge.decommission();
          writePairingFile();
          log.info('matter: left every fabric; commissioning is open again');
          return status();
        },
      }),
    ],
    async start() {
      if (!config.matter.enabled) return;
      if (!config.mdns.enabled) {
        state = 'failed';
        error = 'the Matter bridge needs mDNS: turn mdns.enabled on (or matter.enabled off)';
        log.error(error);
        return;
      }
      state = 'starting';
      try {
        const { createMatterBridge } = await loadMatter(config);
        bridge = await createMatterBridge(ctx, createMatterIdentity(config.matter), () => {
          if (state === 'running') writePairingFile();
        });
        await bridge.start();
        state = 'running';
        writePairingFile();
        const p = bridge.pairing();
        log.info({ manualPairingCode: p.manualPairingCode, qrPayload: p.qrPayload }, 'matter pairing code');
      } catch (err) {
        state = 'failed';
        error = (err as Error).message;
        log.error({ err }, 'the Matter bridge failed to start; the hub carries on without it');
        await bridge?.stop().catch(() => undefined);
        bridge = undefined;
      }
    },
    async stop() {
      await bridge?.stop();
      bridge = undefined;
      if (state === 'running') state = 'off';
    },
    health() {
      if (!config.matter.enabled) return { ok: true, detail: { state: 'off' } };
      return { ok: state === 'running', detail: { state, ...(error ? { error } : {}) } };
    },
  };
}
