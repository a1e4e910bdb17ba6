// What every unit of the hub is handed: one context object instead of long constructor lists.
// Services are added by the units that own them, in start order (see hub.ts).
import type { SettingValue } from '../../shared/capabilities.js';
import type { CommandRecord, DeviceView } from '../../shared/views.js';
import type { Clock } from '../infra/clock.js';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/log.js';
import type { Metrics } from '../infra/metrics.js';
import type { Store } from '../store/db.js';
import type { Repositories } from '../store/repositories.js';
import type { WriteBatcher } from '../store/write-batcher.js';
import type { EventBus } from './bus.js';

/** Publishing and subscribing as the hub itself (in-process on the embedded broker). */
export interface HubMessaging {
  publish(
    topic: string,
    payload: string | Buffer,
    options?: { retain?: boolean; qos?: 0 | 1 },
  ): Promise<void>;
  /** Subscribes to an MQTT filter; returns an unsubscribe function. */
  subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): Promise<() => Promise<void>>;
}

export interface DeviceRegistry {
  list(): DeviceView[];
  get(deviceId: string): DeviceView | undefined;
  /** Registers a device and returns its one-time secret (only its hash is stored). */
  create(input: { name: string; model: string; room?: string | null; id?: string }): {
    device: DeviceView;
    secret: string;
  };
  update(deviceId: string, patch: { name?: string; room?: string | null }): DeviceView;
  /** Removes a device: revokes its credentials, clears its retained topics, drops its state. */
  remove(deviceId: string): Promise<void>;
  /** Checks a device's credentials (fast salted hash, constant-time compare). */
  verifySecret(deviceId: string, secret: string): boolean;
}

export interface CommandRequest {
  deviceId: string;
  capability: string;
  value?: SettingValue | undefined;
  params?: Record<string, unknown> | undefined;
  /** How long the command stays deliverable; defaults by kind (config.commands). */
  ttlMs?: number | undefined;
  /** Who asked: "token:<id>", "schedule:<id>", "cloud", … (audit and metrics). */
  source: string;
  /** For schedule-issued commands: the occurrence id, so a run is never performed twice. */
  occurrence?: string | undefined;
  /** When the caller issued it (a remote command); its ttl counts from here, so a late one expires. */
  issuedAt?: number | undefined;
}

export interface IssueOptions {
  waitMs?: number;
  onRecorded?: (commandId: string) => void;
  /**
   * The caller's key for this request, scoped to its `source`: the same key with the same request
   * resolves with the command it made first (no second command); with another request, throws
   * `conflict`. Keys are kept at least 24 h.
   */
  idempotencyKey?: string;
}

export interface CommandService {
  /**
   * Validates against the device's descriptors (throws HearthError: unknown_device,
   * unknown_capability, unsupported, invalid_payload, out_of_range), records, publishes, and waits
   * up to `waitMs` for the ack (not at all for a device known to be offline). Resolves with the
   * record as it stands then. `onRecorded` is called with the new command's id before `issue`
   * returns, inside the caller's transaction if it has one (a scheduler tick writes it into the
   * run log in the same commit). A request whose `issuedAt` plus ttl has passed throws `expired`.
   */
  issue(request: CommandRequest, options?: IssueOptions): Promise<CommandRecord>;
  get(commandId: string): CommandRecord | undefined;
  list(filter: { deviceId?: string; limit?: number }): CommandRecord[];
  /** Commands sent and still waiting for an ack. */
  activeCount(): number;
}

export interface HubContext {
  config: Config;
  log: Logger;
  bus: EventBus;
  /** Where every fact is kept: one repository per kind (hub/store/repositories.ts). */
  repos: Repositories;
  /**
   * The raw database, for the units that have not moved their queries into a repository yet
   * (scheduler, firmware). Plugins never get it; no route uses it (still reachable here: a known gap).
   */
  store: Store;
  /** Writes nobody waits on (statuses, shadows, history), one transaction per event-loop turn. */
  writes: WriteBatcher;
  metrics: Metrics;
  clock: Clock;
}

/** What a device needs to trust the hub: its CA and where MQTT over TLS listens. */
export interface HubTrust {
  readonly caPem: string;
  /** 0 until the TLS listener is open. */
  mqttTlsPort(): number;
}

/** The context once the core is up: what API routes, the scheduler and plugins use. */
export interface CoreContext extends HubContext {
  messaging: HubMessaging;
  registry: DeviceRegistry;
  commands: CommandService;
  /** The ports the hub listens on: 0 until each listener is bound. */
  readonly ports: { readonly http: number; readonly mqtt: number };
  /** Absent only in tests that build a core without the TLS unit. */
  trust?: HubTrust;
  /** Mosquitto mode: resolves once every credential made so far is provisioned in mosquitto. */
  credentialsSettled?: () => Promise<void>;
}
