// Runs one command on a running boot: decided by command-processor.ts, remembered and committed to
// flash before anything leaves the device, then events, state and ack in one TCP segment. A device
// whose clock is not set yet holds commands (at most MAX_HELD_COMMANDS) until `hearth/hub/time`.
import type { Ack } from '../../shared/payloads.js';
import type { BootReporter } from './boot-reporter.js';
import type { BootSession } from './boot-session.js';
import { remember } from './command-memory.js';
import { type CommandOutcome, processCommand } from './command-processor.js';
import type { JobQueue } from './job-queue.js';

/** Commands that arrive before a clock-less device knows the time wait for `hearth/hub/time`. */
const MAX_HELD_COMMANDS = 32;

export interface BootCommands {
  /** Runs `payload` as a command (queue it with the boot's jobs); `reply` gets the ack, if any. */
  handle(payload: Buffer, reply: (ack: Ack) => void): Promise<void>;
  /** The clock was just set: queue the commands that waited for it. */
  releaseHeld(): void;
}

export function createBootCommands(s: BootSession, jobs: JobQueue, reporter: BootReporter): BootCommands {
  const { d } = s;
  const held: Array<() => void> = [];

  const commit = async (
    outcome: Extract<CommandOutcome, { kind: 'decided' }>,
    now: number,
    reply: (ack: Ack) => void,
  ) => {
    const { command, ack } = outcome;
    s.state.commands = remember(
      s.state.commands,
      {
        id: command.id,
        expiresAt: command.expiresAt,
        result: ack.ok ? { ok: true } : { ok: false, error: ack.error },
      },
      now,
    );
    if (outcome.changed) s.state.values = outcome.values;
    await s.flash.save();
    if (s.dead) return; // the power went while writing: nothing more leaves this boot
    // What follows (events, the new state, the ack) leaves in one TCP segment: one wake-up of the
    // hub per command instead of two.
    const socket = s.conn?.client?.stream;
    socket?.cork();
    try {
      for (const e of outcome.events) reporter.emit(e);
      if (outcome.changed) await reporter.publishState();
      s.log.debug({ commandId: command.id, capability: command.capability, ok: ack.ok }, 'command');
      reply(ack);
    } finally {
      socket?.uncork();
    }
  };

  const handle = async (payload: Buffer, reply: (ack: Ack) => void): Promise<void> => {
    if (!d.clock.synced) {
      if (held.length >= MAX_HELD_COMMANDS)
        return s.log.warn('command dropped: clock not set and too many waiting');
      held.push(() => jobs.enqueue(() => handle(payload, reply)));
      return;
    }
    const now = d.clock.now();
    const outcome = processCommand(payload, {
      model: d.model,
      descriptors: d.descriptors,
      values: s.state.values,
      faults: new Set(s.state.faults),
      memory: s.state.commands,
      now,
    });
    if (outcome.kind === 'unanswerable')
      return s.log.warn({ reason: outcome.reason }, 'unanswerable command ignored');
    if (outcome.kind !== 'decided') {
      if (outcome.kind === 'duplicate')
        s.log.info({ commandId: outcome.ack.id }, 'duplicate command: re-acking');
      return reply(outcome.ack);
    }
    await commit(outcome, now, reply);
  };

  return {
    handle,
    releaseHeld() {
      for (const release of held.splice(0)) release();
    },
  };
}
