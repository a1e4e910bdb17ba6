// One power cycle of a device: read flash, reserve a seq block, get credentials, connect, then
// serve commands, schedules and hub time until the power goes. This file composes the parts and
// owns the order of start and stop; each part lives in its own boot-*.ts file. Commands run one at
// a time and are committed to flash before anything leaves the device, so a cut at any point
// performs a command at most once, and a re-sent one is answered from memory.

import { createBootCommands } from './boot-commands.js';
import { type Boot, topicsFor } from './boot-contract.js';
import { createBootDrills } from './boot-drills.js';
import { createBootLink } from './boot-link.js';
import { type BootReporter, createBootReporter } from './boot-reporter.js';
import { bootSchedulerHost } from './boot-scheduler-host.js';
import { createScheduleIntake } from './boot-schedules.js';
import { type BootSession, createBootSession, restoreFromFlash, runningVersion } from './boot-session.js';
import { deviceSecret } from './device-secret.js';
import type { DeviceStatic } from './device-types.js';
import { cachedAddressLocator, locateHub } from './hub-locator.js';
import { createJobQueue } from './job-queue.js';
import { createOtaAgent } from './ota-agent.js';
import { DEFAULT_OTA_HEALTH_MS, type OtaAgent } from './ota-types.js';

export function createBoot(d: DeviceStatic): Boot {
  const s = createBootSession(d);
  const jobs = createJobQueue((err) => s.log.error({ err }, 'device job failed'));
  const reporter = createBootReporter(s, () => ota.infoUpdate());
  const ota = bootOta(s, reporter);
  const commands = createBootCommands(s, jobs, reporter);
  const drills = createBootDrills(s, reporter);
  const locators = [
    cachedAddressLocator(() => [...s.state.hubAddresses, ...d.image.body.hub.addresses]),
    ...(d.options.locators ?? []),
  ];
  let untick: (() => void) | undefined;

  /** Turns off everything that runs by itself (update timers, physics, local schedules). */
  const quiet = () => {
    ota.stop();
    untick?.();
    s.scheduler?.stop();
  };

  const boot: Boot = {
    get deviceId() {
      return s.deviceId || d.owner;
    },
    get online() {
      return s.online;
    },
    async start() {
      await restoreFromFlash(s);
      if ((await ota.atBoot()) === 'restart') return d.restart();
      if (ota.behaviour === 'crash-at-boot') {
        s.log.error({ firmware: runningVersion(s) }, 'firmware crashed at boot');
        return d.restart();
      }
      s.secret = await deviceSecret({
        d,
        state: s.state,
        log: s.log,
        save: () => s.flash.save(),
        locate: () => locateHub(locators, () => undefined),
      });
      if (s.dead) return;
      s.deviceId = d.image.body.identity.deviceId ?? s.state.provisioned?.deviceId ?? '';
      s.topics = topicsFor(s.deviceId);
      s.log = d.options.log.child({ device: s.deviceId });
      const factory = s.keepsSchedules ? d.options.localScheduler : undefined;
      s.scheduler = factory?.(bootSchedulerHost(s, jobs, commands, reporter)) ?? null;
      s.scheduler?.load(s.state.schedules);
      if (d.model.tick && d.options.ticker) untick = d.options.ticker.add((ms) => boot.tick(ms));
      const schedules = createScheduleIntake(s, reporter);
      s.conn = createBootLink(s, { reporter, commands, enqueue: jobs.enqueue, schedules, ota, locators });
      // A deliberately bad build whose network stack never comes up.
      if (ota.behaviour !== 'never-reconnect') s.conn.start();
    },
    async stop() {
      if (s.dead) return;
      s.dead = true;
      quiet();
      await jobs.idle();
      s.online = false;
      await s.conn?.stop(s.topics ? { topic: s.topics.status, payload: 'offline' } : undefined);
      await s.flash.save();
    },
    kill() {
      s.dead = true;
      s.online = false;
      quiet();
      s.conn?.kill();
    },
    drop() {
      s.conn?.drop();
    },
    setFault: drills.setFault,
    sense: drills.sense,
    tick: drills.tick,
    snapshot: () => ({
      bootCount: s.state.bootCount,
      seq: s.seq,
      values: { ...s.state.values },
      faults: [...s.state.faults],
      schedulesVersion: s.state.schedules?.version ?? null,
    }),
  };
  return boot;
}

/** The OTA agent of this boot, reading the session for who and where the device is. */
function bootOta(s: BootSession, reporter: BootReporter): OtaAgent {
  const { d } = s;
  return createOtaAgent({
    log: () => s.log,
    state: () => s.state,
    save: () => s.flash.save(),
    running: () => ({
      model: d.model.model,
      version: runningVersion(s),
      releaseKey: d.image.body.release?.publicKey,
    }),
    hub: () =>
      s.online && s.hubHost && s.deviceId
        ? { host: s.hubHost, deviceId: s.deviceId, secret: s.secret }
        : null,
    emit: (event) => reporter.emit(event),
    republishInfo: () => reporter.publishInfo(),
    restart: (why) => {
      s.log.info({ why }, 'rebooting');
      d.restart();
    },
    dead: () => s.dead,
    flashBase: s.flash.path,
    healthMs: d.options.otaHealthMs ?? DEFAULT_OTA_HEALTH_MS,
    switches: d.switches.ota,
    onProgress: d.otaProgress,
  });
}
