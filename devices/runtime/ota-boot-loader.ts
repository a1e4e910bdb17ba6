// The boot loader half of OTA: runs before anything else in a boot. A trial that rebooted without
// confirming its health, or a slot that does not hold what was written to it, falls back to the
// old slot; a trial that does not confirm within the bound (connected, self-test passed, state
// re-reported) falls back by itself.
import type { FirmwareBehaviour } from '../../shared/update-image.js';
import type { OtaOutcome } from './ota-outcome.js';
import { slotFile, slotHolds } from './ota-slots.js';
import type { OtaHost } from './ota-types.js';

export interface OtaBootLoader {
  atBoot(): Promise<'run' | 'restart'>;
  readonly behaviour: FirmwareBehaviour;
  /** Connected and state re-reported: confirms a trial (or fails its self-test). */
  announced(): void;
  stop(): void;
}

export function createOtaBootLoader(host: OtaHost, outcome: OtaOutcome): OtaBootLoader {
  let watchdog: NodeJS.Timeout | undefined;
  const fw = () => host.state().firmware;
  const activeSlot = () => fw()[fw().active] ?? fw().a;

  const rollback = async (reason: string) => {
    const trial = fw().trial;
    if (!trial) return;
    host
      .log()
      .warn({ version: trial.version, reason }, 'update failed: the boot loader goes back to the old slot');
    fw().active = trial.fallback;
    delete fw().trial;
    outcome.record(trial.rollout, trial.version, 'rolled-back', reason);
    await host.save();
  };

  const rollbackAndRestart = (reason: string, why: string) => {
    void rollback(reason).then(
      () => host.restart(why),
      () => undefined,
    );
  };

  return {
    async atBoot() {
      const f = fw();
      const trial = f.trial;
      if (trial?.booted) {
        await rollback('the new firmware restarted before it confirmed its health');
        return 'restart';
      }
      const slot = activeSlot();
      if (slot.sha256 && !(await slotHolds(slotFile(host.flashBase, f.active), slot.sha256))) {
        if (trial) await rollback(`slot ${f.active} does not hold the image written to it`);
        else f.active = f.active === 'a' ? 'b' : 'a';
        await host.save();
        return 'restart';
      }
      if (trial) {
        trial.booted = true;
        await host.save();
        watchdog = setTimeout(() => {
          rollbackAndRestart(
            `no healthy confirmation within ${Math.round(host.healthMs / 1000)} s`,
            'health bound passed',
          );
        }, host.healthMs);
        watchdog.unref();
      }
      return 'run';
    },
    get behaviour() {
      return activeSlot().behaviour ?? 'good';
    },
    announced() {
      const trial = fw().trial;
      if (!trial) return outcome.report();
      clearTimeout(watchdog);
      if (activeSlot().behaviour === 'fail-self-test')
        return rollbackAndRestart('the self-test failed', 'self-test failed');
      delete fw().trial;
      outcome.record(trial.rollout, trial.version, 'updated');
      host.log().info({ version: trial.version }, 'update confirmed healthy');
      void host.save().then(outcome.report, () => undefined);
    },
    stop() {
      clearTimeout(watchdog);
    },
  };
}
