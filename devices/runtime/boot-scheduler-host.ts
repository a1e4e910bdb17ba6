// What the local scheduler may do on a running boot: run a schedule's command through the same
// path as one from the hub, under a command id derived from the schedule and occurrence (so an
// occurrence runs once, across reboots), and raise events.
import { createHash } from 'node:crypto';
import type { Ack } from '../../shared/payloads.js';
import type { BootCommands } from './boot-commands.js';
import type { BootReporter } from './boot-reporter.js';
import type { BootSession } from './boot-session.js';
import type { LocalSchedulerHost } from './hooks.js';
import type { JobQueue } from './job-queue.js';

export function bootSchedulerHost(
  s: BootSession,
  jobs: JobQueue,
  commands: BootCommands,
  reporter: BootReporter,
): LocalSchedulerHost {
  const { clock } = s.d;
  return {
    get deviceId() {
      return s.deviceId;
    },
    clock,
    get log() {
      return s.log;
    },
    run(input) {
      const id = `s${createHash('sha256').update(`${input.scheduleId}\n${input.occurrence}`).digest('base64url').slice(0, 40)}`;
      const { scheduleId: _s, ...rest } = input;
      const payload = Buffer.from(JSON.stringify({ id, ...rest, issuedAt: clock.now() }));
      return new Promise<Ack>((resolve) => jobs.enqueue(() => commands.handle(payload, resolve)));
    },
    emit: (event) => reporter.emit(event),
  };
}
