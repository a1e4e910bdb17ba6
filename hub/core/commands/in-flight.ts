// The commands still waiting for an ack: who waits on them, how they are settled (by the device's
// ack, or by expiry), and delivery to a device that comes back. A feeder offline for three hours
// never feeds late: what expired on the way is settled as expired, not sent.
import type { Ack, Command } from '../../../shared/payloads.js';
import { deviceTopic } from '../../../shared/topics.js';
import type { CommandRecord } from '../../../shared/views.js';
import type { HubContext, HubMessaging } from '../context.js';

const SWEEP_MS = 1000;

export class InFlightCommands {
  /** Pending or sent, by id. */
  readonly active = new Map<string, CommandRecord>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly unsubscribe: Array<() => void> = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly log;
  private readonly settled;
  private readonly strayAcks;

  constructor(
    private readonly ctx: HubContext,
    private readonly messaging: HubMessaging,
  ) {
    this.log = ctx.log.child({ module: 'commands' });
    this.settled = ctx.metrics.counter('hearth_commands_total', 'Commands by final status');
    this.strayAcks = ctx.metrics.counter(
      'hearth_unmatched_acks_total',
      'Acks for unknown or settled commands',
    );
  }

  start(): void {
    // In the order they were issued: a device that gets them again applies the newest setting last.
    for (const record of this.ctx.repos.commands.active()) this.active.set(record.id, record);
    this.sweep();
    this.unsubscribe.push(
      this.ctx.bus.on('device.availability', 'commands', ({ deviceId, online }) => {
        if (online) this.deliverMissed(deviceId);
      }),
    );
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweepTimer.unref();
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const u of this.unsubscribe.splice(0)) u();
    for (const list of this.waiters.values()) for (const wake of list) wake();
    this.waiters.clear();
  }

  /** A new command, recorded: it waits here for its ack. */
  track(r: CommandRecord): void {
    this.active.set(r.id, r);
    this.changed(r);
  }

  /** Resolves when the command settles, or after `ms`. */
  waitFor(id: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.active.has(id) || ms <= 0) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      const list = this.waiters.get(id) ?? [];
      list.push(done);
      this.waiters.set(id, list);
    });
  }

  acknowledge(deviceId: string, ack: Ack): void {
    const r = this.active.get(ack.id);
    if (!r || r.deviceId !== deviceId) {
      this.strayAcks.inc();
      return;
    }
    r.ackedAt = this.ctx.clock.now();
    if (ack.ok) r.status = 'done';
    else {
      r.status = ack.error.code === 'expired' ? 'expired' : 'failed';
      r.error = { code: ack.error.code, message: ack.error.message };
    }
    this.settle(r);
  }

  publish(r: CommandRecord): void {
    const payload: Command = {
      id: r.id,
      capability: r.capability as Command['capability'],
      issuedAt: r.issuedAt,
      expiresAt: r.expiresAt,
      ...(r.value !== undefined ? { value: r.value } : {}),
      ...(r.params !== undefined ? { params: r.params } : {}),
      ...(r.occurrence !== undefined ? { occurrence: r.occurrence } : {}),
    };
    this.messaging
      .publish(deviceTopic(r.deviceId, 'cmd'), JSON.stringify(payload), { qos: 1 })
      .catch((err: unknown) => {
        this.log.warn({ err, commandId: r.id }, 'publish failed; will retry when the device reconnects');
      });
  }

  /** A device came back: deliver what it missed, oldest first, unless expired. */
  private deliverMissed(deviceId: string): void {
    const now = this.ctx.clock.now();
    const due = [...this.active.values()]
      .filter((r) => r.deviceId === deviceId)
      .sort((a, b) => a.issuedAt - b.issuedAt);
    for (const r of due) {
      if (r.expiresAt <= now) this.expire(r);
      else {
        r.status = 'sent';
        r.sentAt = now;
        this.persist(r);
        this.changed(r);
        this.publish(r);
      }
    }
  }

  private sweep(): void {
    const now = this.ctx.clock.now();
    for (const r of this.active.values()) if (r.expiresAt <= now) this.expire(r);
  }

  private expire(r: CommandRecord): void {
    r.status = 'expired';
    r.error = { code: 'expired', message: 'the device did not answer before the command expired' };
    this.settle(r);
  }

  private settle(r: CommandRecord): void {
    this.active.delete(r.id);
    this.settled.inc({ status: r.status });
    this.persist(r);
    this.changed(r);
    for (const wake of this.waiters.get(r.id) ?? []) wake();
    this.waiters.delete(r.id);
  }

  private persist(r: CommandRecord): void {
    const saved = { ...r };
    this.ctx.writes.enqueue(() => this.ctx.repos.commands.saveStatus(saved));
  }

  private changed(r: CommandRecord): void {
    this.ctx.bus.emit('command.updated', {
      commandId: r.id,
      deviceId: r.deviceId,
      capability: r.capability,
      status: r.status,
      ...(r.error ? { error: r.error } : {}),
    });
  }
}
