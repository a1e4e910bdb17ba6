// Hub-wins settings that drifted are sent again, but at most every RESEND_EVERY_MS per setting: a
// device that keeps drifting right after a correction is looked at again once the pause is over.
import type { SettingValue } from '../../../shared/capabilities.js';
import type { CommandRecord } from '../../../shared/views.js';
import type { CommandRequest, HubContext } from '../context.js';

/** A hub-wins setting is sent again at most this often while it keeps drifting. */
const RESEND_EVERY_MS = 2000;

type Issue = () => { issue(request: CommandRequest, options: { waitMs: number }): Promise<CommandRecord> };

export function createDriftCorrector(
  ctx: HubContext,
  lookAgain: (deviceId: string) => void,
  commands: Issue,
) {
  const log = ctx.log.child({ module: 'twin' });
  const corrected = ctx.metrics.counter(
    'hearth_twin_corrections_total',
    'Drifted settings sent again (hub wins)',
  );
  const lastResend = new Map<string, number>();
  const retries = new Map<string, NodeJS.Timeout>();
  const resend = (deviceId: string, capability: string, want: SettingValue, has: unknown) => {
    const key = `${deviceId}\0${capability}`;
    const wait = (lastResend.get(key) ?? -Infinity) + RESEND_EVERY_MS - ctx.clock.now();
    if (wait > 0) {
      if (!retries.has(key)) {
        const timer = setTimeout(() => {
          retries.delete(key);
          lookAgain(deviceId);
        }, wait);
        timer.unref();
        retries.set(key, timer);
      }
      return;
    }
    lastResend.set(key, ctx.clock.now());
    corrected.inc();
    log.info({ deviceId, capability, want, has }, 'drifted from desired: sending it again');
    commands()
      .issue({ deviceId, capability, value: want, source: 'twin' }, { waitMs: 0 })
      .catch((err: unknown) => log.warn({ err, deviceId, capability }, 'could not send desired again'));
  };
  return Object.assign(resend, {
    stop() {
      for (const timer of retries.values()) clearTimeout(timer);
      retries.clear();
    },
  });
}
