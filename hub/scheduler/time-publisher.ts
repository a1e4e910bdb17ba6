// `hearth/hub/time`, retained, at start and every minute: wall-clock time for devices with no NTP.
import type { HubTime } from '../../shared/payloads.js';
import { hubTopic } from '../../shared/topics.js';
import type { CoreContext } from '../core/context.js';

export const HUB_TIME_INTERVAL_MS = 60_000;

export function createTimePublisher(ctx: CoreContext, intervalMs = HUB_TIME_INTERVAL_MS) {
  const log = ctx.log.child({ module: 'hub-time' });
  let timer: NodeJS.Timeout | undefined;
  const publish = async () => {
    const payload: HubTime = { now: ctx.clock.now(), tz: ctx.config.timeZone };
    await ctx.messaging
      .publish(hubTopic('time'), JSON.stringify(payload), { retain: true, qos: 1 })
      .catch((err: unknown) => log.warn({ err }, 'could not publish hub time'));
  };
  return {
    async start() {
      await publish();
      timer = setInterval(() => void publish(), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
