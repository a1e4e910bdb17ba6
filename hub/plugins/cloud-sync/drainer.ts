// Sends the outbox to the cloud broker in order, QoS 1, deleting each row only after its PUBACK.
// Connects with full-jitter backoff behind a circuit breaker, and drains at a bounded rate so a
// thousand homes coming back after an outage do not stampede the cloud. Never blocks the hub:
// everything runs in its own loop, started and forgotten. The session is persistent (a fixed
// client id, clean: false): what the cloud queued for the hub while it was away arrives when it
// is back.
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import type { MqttClient } from 'mqtt';
import { createBackoff } from '../../../shared/backoff.js';
import type { Logger } from '../../infra/log.js';
import { createTokenBucket } from '../../security/rate-limiter.js';
import type { Outbox, OutboxRow } from '../../store/outbox.js';
import { connectCloud } from './cloud-connect.js';
import type { CloudSyncConfig } from './config.js';
import { createWakeableSleep } from './wakeable-sleep.js';

const WINDOW = 64;
const BATCH = 256;

export interface DrainerStatus {
  state: 'connecting' | 'connected' | 'waiting' | 'circuit-open' | 'stopped';
  sent: number;
  retried: number;
  lastError: string | null;
}

export interface Drainer {
  start(): void;
  stop(): Promise<void>;
  /** Something was added to the outbox. */
  wake(): void;
  status(): DrainerStatus;
  circuit(): CircuitState;
  /**
   * Each new client, before it connects: a listener attached here sees the messages the cloud
   * queued for this session, which may arrive right behind the CONNACK.
   */
  onClient(fn: (client: MqttClient) => void): void;
}

export function createDrainer(
  config: CloudSyncConfig,
  outbox: Outbox,
  prefix: string,
  clientId: string,
  log: Logger,
): Drainer {
  const backoff = createBackoff({ baseMs: Math.min(500, config.backoffMaxMs), maxMs: config.backoffMaxMs });
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: config.breakerHalfOpenMs,
    breaker: new ConsecutiveBreaker(5),
  });
  const bucket =
    config.ratePerSecond > 0
      ? createTokenBucket(Math.max(1, config.ratePerSecond), config.ratePerSecond)
      : null;
  const status: DrainerStatus = { state: 'stopped', sent: 0, retried: 0, lastError: null };
  const clientListeners: Array<(c: MqttClient) => void> = [];
  let client: MqttClient | undefined;
  let stopped = true;
  const { sleep, wake } = createWakeableSleep();
  const everSent = new Set<number>();

  /** Sends until the connection drops  /** Sends until the connection drops or the drainer stops. */
  const drain = async (c: MqttClient) => {
    let closed = false;
    c.once('close', () => {
      closed = true;
      wake();
    });
    let after = 0;
    let inflight = 0;
    let released: (() => void) | undefined;
    while (!stopped && !closed) {
      const rows: OutboxRow[] = outbox.peek(BATCH, after);
      if (rows.length === 0) {
        await sleep(1000);
        continue;
      }
      for (const row of rows) {
        if (stopped || closed) break;
        while (bucket && !bucket.tryTake()) await sleep(bucket.waitMs());
        while (inflight >= WINDOW && !closed) await new Promise<void>((r) => (released = r));
        if (closed) break;
        inflight++;
        if (everSent.has(row.seq)) status.retried++;
        everSent.add(row.seq);
        const body = `{"key":${JSON.stringify(row.key)},"kind":"${row.kind}","deviceId":${JSON.stringify(row.deviceId)},"at":${row.createdAt},"data":${row.payload}}`;
        c.publish(`${prefix}/${row.kind}/${row.deviceId}`, body, { qos: 1 }, (err) => {
          inflight--;
          released?.();
          if (err) return;
          outbox.remove(row.seq);
          everSent.delete(row.seq);
          status.sent++;
        });
        after = row.seq;
      }
    }
  };

  const loop = async () => {
    while (!stopped) {
      status.state = breaker.state === CircuitState.Open ? 'circuit-open' : 'connecting';
      try {
        const c = await breaker.execute(() => connectCloud(config, clientId, clientListeners));
        client = c;
        backoff.reset();
        status.state = 'connected';
        status.lastError = null;
        log.info({ url: config.url }, 'connected to the cloud broker; draining the outbox');
        c.on('error', (err) => log.warn({ err: err.message }, 'cloud connection error'));
        await drain(c);
        c.end(true);
        client = undefined;
        if (!stopped) log.warn('cloud connection lost; changes queue on disk until it is back');
      } catch (err) {
        status.lastError = (err as Error).message;
        const delay = breaker.state === CircuitState.Open ? config.breakerHalfOpenMs : backoff.next();
        status.state = breaker.state === CircuitState.Open ? 'circuit-open' : 'waiting';
        log.info({ err: status.lastError, retryInMs: delay }, 'cloud unreachable; will retry');
        await sleep(delay);
      }
    }
    status.state = 'stopped';
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void loop();
    },
    async stop() {
      stopped = true;
      wake();
      await new Promise<void>((resolve) => (client ? client.end(true, {}, () => resolve()) : resolve()));
    },
    wake,
    status: () => ({ ...status }),
    circuit: () => breaker.state,
    onClient(fn) {
      clientListeners.push(fn);
    },
  };
}
