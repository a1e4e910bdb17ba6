// What the parts of one power cycle share: the flash state and its file, who the device is on the
// wire, the link, and whether the power went. One mutable object, so every part (commands,
// schedules, link, reporter) reads the current value and none holds a stale copy.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { HearthError } from '../../shared/errors.js';
import type { DeviceTopics } from './boot-contract.js';
import type { Connection } from './connection.js';
import type { DeviceStatic } from './device-types.js';
import { createFlashFile, type FlashFile } from './flash-file.js';
import { type FlashState, FlashStateSchema, freshFlashState, SEQ_BLOCK } from './flash-state.js';
import type { LocalScheduler } from './hooks.js';

export interface BootSession {
  readonly d: DeviceStatic;
  readonly flash: FlashFile;
  state: FlashState;
  log: Logger;
  /** Empty until a factory image is adopted. */
  deviceId: string;
  topics: DeviceTopics | null;
  conn: Connection | null;
  online: boolean;
  /** The power went (kill) or the boot stopped: nothing more may leave it. */
  dead: boolean;
  seq: number;
  secret: string;
  /** The host the broker was last reached at (OTA downloads come from there). */
  hubHost: string | null;
  scheduler: LocalScheduler | null;
  readonly keepsSchedules: boolean;
}

export function createBootSession(d: DeviceStatic): BootSession {
  const s: BootSession = {
    d,
    flash: createFlashFile(join(d.options.flashDir, `${d.owner}.flash`), () => s.state),
    state: freshFlashState(d.owner, d.image.header.firmware, d.model.initial),
    log: d.options.log.child({ device: d.owner }),
    deviceId: d.image.body.identity.deviceId ?? '',
    topics: null,
    conn: null,
    online: false,
    dead: false,
    seq: 0,
    secret: '',
    hubHost: null,
    scheduler: null,
    keepsSchedules: d.model.capabilities.some((c) => c.name === 'schedules'),
  };
  return s;
}

export const runningVersion = (s: BootSession): string =>
  (s.state.firmware[s.state.firmware.active] ?? s.state.firmware.a).version;

export function publish(s: BootSession, topic: string, payload: string, retain = false): void {
  s.conn?.client?.publish(topic, payload, { qos: 1, retain });
}

/** Background work must never become an unhandled rejection (a killed boot's disk may vanish). */
export const failed = (s: BootSession, what: string) => (err: unknown) => {
  if (!s.dead) s.log.error({ err }, `${what} failed`);
};

/** Reads flash (or keeps the fresh state), counts the boot and reserves this boot's seq block. */
export async function restoreFromFlash(s: BootSession): Promise<void> {
  const read = await s.flash.read();
  if (read) {
    if (read.damaged.length > 0)
      s.log.warn({ damaged: read.damaged, slot: read.slot }, 'flash recovered from the last good copy');
    const parsed = FlashStateSchema.safeParse(read.data);
    if (!parsed.success)
      throw new HearthError('internal', `flash ${s.flash.path} holds data this firmware cannot read`);
    if (parsed.data.owner !== s.d.owner)
      throw new HearthError('conflict', `flash ${s.flash.path} belongs to ${parsed.data.owner}`);
    s.state = parsed.data;
  }
  s.state.bootCount += 1;
  s.seq = s.state.seqCeiling;
  s.state.seqCeiling = s.seq + SEQ_BLOCK;
  await s.flash.save();
}
