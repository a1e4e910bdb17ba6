// One power cycle of a device: read flash, reserve a seq block, get credentials, connect, then
// serve commands, schedules and hub time until the power goes. Commands run one at a time and are
// committed to flash before anything leaves the device, so a cut at any point performs a command
// at most once, and a re-sent one is answered from memory.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { decodeJson } from '../../shared/decode.js';
import { HearthError } from '../../shared/errors.js';
import {
  type Ack,
  type DeviceEvent,
  DeviceSchedulesSchema,
  type DeviceState,
  HubTimeSchema,
  PAYLOAD_LIMITS,
} from '../../shared/payloads.js';
import { HUB_WILDCARD, hubTopic } from '../../shared/topics.js';
import type { EventDraft, ModelContext } from '../models/model.js';
import { type Boot, topicsFor } from './boot-contract.js';
import { remember } from './command-memory.js';
import { processCommand } from './command-processor.js';
import { type Connection, createConnection } from './connection.js';
import { deviceSecret } from './device-secret.js';
import type { DeviceStatic } from './device-types.js';
import { createFlashFile } from './flash-file.js';
import { type FlashState, FlashStateSchema, freshFlashState, SEQ_BLOCK } from './flash-state.js';
import type { LocalScheduler, LocalSchedulerHost } from './hooks.js';
import { cachedAddressLocator, formatHubAddress, locateHub } from './hub-locator.js';
import { runModelHook } from './model-hook.js';
import { createOtaAgent } from './ota-agent.js';
import { DEFAULT_OTA_HEALTH_MS } from './ota-types.js';

/** Commands that arrive before a clock-less device knows the time wait for `hearth/hub/time`. */
const MAX_HELD_COMMANDS = 32;
const MAX_QUEUED_EVENTS = 32;

export function createBoot(d: DeviceStatic): Boot {
  const { image, model, clock, switches } = d;
  let log = d.options.log.child({ device: d.owner });
  let state: FlashState = freshFlashState(d.owner, image.header.firmware, model.initial);
  const flash = createFlashFile(join(d.options.flashDir, `${d.owner}.flash`), () => state);
  let deviceId = image.body.identity.deviceId ?? '';
  let topics = deviceId ? topicsFor(deviceId) : null;
  let conn: Connection | null = null;
  let online = false;
  let dead = false;
  let seq = 0;
  let chain: Promise<void> = Promise.resolve();
  const held: Array<() => void> = [];
  const unsentEvents: DeviceEvent[] = [];
  let untick: (() => void) | undefined;
  let scheduler: LocalScheduler | null = null;
  let announcedBoot = false;
  const keepsSchedules = model.capabilities.some((c) => c.name === 'schedules');
  let secret = '';
  let hubHost: string | null = null;
  const runningVersion = () => (state.firmware[state.firmware.active] ?? state.firmware.a).version;

  /** Background work must never become an unhandled rejection (a killed boot's disk may vanish). */
  const failed = (what: string) => (err: unknown) => {
    if (!dead) log.error({ err }, `${what} failed`);
  };

  const publish = (topic: string, payload: string, retain = false) =>
    conn?.client?.publish(topic, payload, { qos: 1, retain });

  const publishState = async () => {
    if (!topics) return;
    seq += 1;
    if (seq >= state.seqCeiling) {
      state.seqCeiling = seq + SEQ_BLOCK;
      await flash.save();
    }
    const body: DeviceState = { seq, ts: clock.now(), values: state.values };
    if (state.schedules) body.schedulesVersion = state.schedules.version;
    if (state.faults[0]) body.fault = state.faults[0];
    if (online) publish(topics.state, JSON.stringify(body), true);
  };

  const emit = (draft: EventDraft) => {
    const event = { ...draft, ts: clock.now() } as DeviceEvent;
    if (online && topics) publish(topics.event, JSON.stringify(event));
    else if (unsentEvents.push(event) > MAX_QUEUED_EVENTS) unsentEvents.shift();
  };

  const publishAck = (ack: Ack) => {
    const send = () => topics && !dead && publish(topics.ack, JSON.stringify(ack));
    if (switches.slowAckMs > 0) setTimeout(send, switches.slowAckMs).unref();
    else send();
  };

  const handleCommand = async (payload: Buffer, reply: (ack: Ack) => void) => {
    if (!clock.synced) {
      if (held.length >= MAX_HELD_COMMANDS)
        return log.warn('command dropped: clock not set and too many waiting');
      held.push(() => enqueue(() => handleCommand(payload, reply)));
      return;
    }
    const now = clock.now();
    const outcome = processCommand(payload, {
      model,
      descriptors: d.descriptors,
      values: state.values,
      faults: new Set(state.faults),
      memory: state.commands,
      now,
    });
    if (outcome.kind === 'unanswerable')
      return log.warn({ reason: outcome.reason }, 'unanswerable command ignored');
    if (outcome.kind !== 'decided') {
      if (outcome.kind === 'duplicate')
        log.info({ commandId: outcome.ack.id }, 'duplicate command: re-acking');
      return reply(outcome.ack);
    }
    const { command, ack } = outcome;
    state.commands = remember(
      state.commands,
      {
        id: command.id,
        expiresAt: command.expiresAt,
        result: ack.ok ? { ok: true } : { ok: false, error: ack.error },
      },
      now,
    );
    if (outcome.changed) state.values = outcome.values;
    await flash.save();
    if (dead) return; // the power went while writing: nothing more leaves this boot
    // What follows (events, the new state, the ack) leaves in one TCP segment: one wake-up of the
    // hub per command instead of two.
    const socket = conn?.client?.stream;
    socket?.cork();
    try {
      for (const e of outcome.events) emit(e);
      if (outcome.changed) await publishState();
      log.debug({ commandId: command.id, capability: command.capability, ok: ack.ok }, 'command');
      reply(ack);
    } finally {
      socket?.uncork();
    }
  };

  const handleSchedules = async (payload: Buffer) => {
    if (!keepsSchedules) return;
    if (payload.length === 0) {
      if (state.schedules === null) return;
      state.schedules = null;
    } else {
      const decoded = decodeJson(DeviceSchedulesSchema, payload, PAYLOAD_LIMITS.schedules);
      if (!decoded.ok)
        return log.warn({ code: decoded.error.code }, `schedules refused: ${decoded.error.message}`);
      if (state.schedules?.version === decoded.value.version) return; // retained copy after a reconnect
      // Versions only grow: an older list is a stale copy that overtook the newer one in the
      // broker (two pushes racing); running it would undo the owner's change.
      if (state.schedules && decoded.value.version < state.schedules.version) {
        log.info(
          { version: decoded.value.version, running: state.schedules.version },
          'older schedules ignored',
        );
        return;
      }
      state.schedules = decoded.value;
    }
    await flash.save();
    if (dead) return;
    scheduler?.load(state.schedules);
    log.info({ version: state.schedules?.version ?? null }, 'schedules updated');
    await publishState();
  };

  const enqueue = (job: () => Promise<void>) => {
    chain = chain.then(job).catch((err: unknown) => log.error({ err }, 'device job failed'));
  };

  const publishInfo = () => {
    if (!topics) return;
    const update = ota.infoUpdate();
    const info = {
      model: model.model,
      firmware: runningVersion(),
      name: image.body.identity.name,
      capabilities: model.capabilities,
      ...(update ? { update } : {}),
    };
    publish(topics.info, JSON.stringify(info), true);
  };

  const ota = createOtaAgent({
    log: () => log,
    state: () => state,
    save: () => flash.save(),
    running: () => ({
      model: model.model,
      version: runningVersion(),
      releaseKey: image.body.release?.publicKey,
    }),
    hub: () => (online && hubHost && deviceId ? { host: hubHost, deviceId, secret } : null),
    emit,
    republishInfo: publishInfo,
    restart: (why) => {
      log.info({ why }, 'rebooting');
      d.restart();
    },
    dead: () => dead,
    flashBase: flash.path,
    healthMs: d.options.otaHealthMs ?? DEFAULT_OTA_HEALTH_MS,
    switches: switches.ota,
    onProgress: d.otaProgress,
  });

  const onMessage = (topic: string, payload: Buffer) => {
    if (switches.frozen || !topics) return;
    if (topic === topics.cmd) enqueue(() => handleCommand(payload, publishAck));
    else if (topic === topics.ota) ota.offer(payload);
    else if (topic === topics.schedules) enqueue(() => handleSchedules(payload));
    else if (topic === hubTopic('time')) {
      const time = decodeJson(HubTimeSchema, payload, PAYLOAD_LIMITS.hubTime);
      if (!time.ok) return log.warn({ code: time.error.code }, 'hub time refused');
      clock.observeHubTime(time.value.now);
      for (const release of held.splice(0)) release();
    }
  };

  const onConnect = (
    client: MqttClient,
    { address }: { address: { host: string; port: number; tls: boolean } },
  ) => {
    if (!topics) return;
    const t = topics;
    hubHost = address.host;
    const subs = [t.cmd, t.ota, HUB_WILDCARD, ...(keepsSchedules ? [t.schedules] : [])];
    client.subscribe(subs, { qos: 1 }, (err) => {
      if (err || dead || conn?.client !== client) return;
      publishInfo();
      online = true;
      void publishState().then(() => {
        publish(t.status, 'online', true);
        d.notify();
        if (!announcedBoot) {
          announcedBoot = true;
          emit({ type: 'booted', firmware: runningVersion(), slot: state.firmware.active });
        }
        for (const e of unsentEvents.splice(0)) publish(t.event, JSON.stringify(e));
        ota.announced();
      }, failed('announce'));
    });
    const url = formatHubAddress(address);
    if (state.hubAddresses[0] !== url) {
      state.hubAddresses = [url, ...state.hubAddresses.filter((a) => a !== url)].slice(0, 8);
      flash.save().catch(failed('remember the hub address'));
    }
  };

  const localHost: LocalSchedulerHost = {
    get deviceId() {
      return deviceId;
    },
    clock,
    get log() {
      return log;
    },
    run(input) {
      const id = `s${createHash('sha256').update(`${input.scheduleId}\n${input.occurrence}`).digest('base64url').slice(0, 40)}`;
      const { scheduleId: _s, ...rest } = input;
      const payload = Buffer.from(JSON.stringify({ id, ...rest, issuedAt: clock.now() }));
      return new Promise<Ack>((resolve) => enqueue(() => handleCommand(payload, resolve)));
    },
    emit,
  };

  const credentials = () =>
    deviceSecret({
      d,
      state,
      log,
      save: () => flash.save(),
      locate: () => locateHub(locators, () => undefined),
    });

  const locators = [
    cachedAddressLocator(() => [...state.hubAddresses, ...image.body.hub.addresses]),
    ...(d.options.locators ?? []),
  ];

  /** Runs a model hook on a draft of the values; publishes what changed. */
  const applyPhysics = async (fn: (ctx: ModelContext) => void) => {
    const { changed, events } = runModelHook(state, clock, fn);
    for (const e of events) emit(e);
    if (changed) await publishState();
  };

  const boot: Boot = {
    get deviceId() {
      return deviceId || d.owner;
    },
    get online() {
      return online;
    },
    async start() {
      const read = await flash.read();
      if (read) {
        if (read.damaged.length > 0)
          log.warn({ damaged: read.damaged, slot: read.slot }, 'flash recovered from the last good copy');
        const parsed = FlashStateSchema.safeParse(read.data);
        if (!parsed.success)
          throw new HearthError('internal', `flash ${flash.path} holds data this firmware cannot read`);
        if (parsed.data.owner !== d.owner)
          throw new HearthError('conflict', `flash ${flash.path} belongs to ${parsed.data.owner}`);
        state = parsed.data;
      }
      state.bootCount += 1;
      seq = state.seqCeiling;
      state.seqCeiling = seq + SEQ_BLOCK;
      await flash.save();
      if ((await ota.atBoot()) === 'restart') return d.restart();
      if (ota.behaviour === 'crash-at-boot') {
        log.error({ firmware: runningVersion() }, 'firmware crashed at boot');
        return d.restart();
      }
      secret = await credentials();
      if (dead) return;
      deviceId = image.body.identity.deviceId ?? state.provisioned?.deviceId ?? '';
      topics = topicsFor(deviceId);
      log = d.options.log.child({ device: deviceId });
      scheduler = keepsSchedules ? (d.options.localScheduler?.(localHost) ?? null) : null;
      scheduler?.load(state.schedules);
      const { tick } = model;
      if (tick && d.options.ticker) untick = d.options.ticker.add((ms) => boot.tick(ms));
      conn = createConnection({
        clientId: deviceId,
        username: deviceId,
        password: secret,
        will: { topic: topics.status, payload: 'offline' },
        locators,
        trust: image.body.hub.ca ?? state.provisioned?.tls?.ca,
        backoff: d.backoff,
        keepaliveSec: d.options.keepaliveSec ?? 30,
        log,
        onConnect,
        onMessage,
        onClose: () => {
          online = false;
          d.notify();
        },
      });
      // A deliberately bad build whose network stack never comes up.
      if (ota.behaviour !== 'never-reconnect') conn.start();
    },
    async stop() {
      if (dead) return;
      dead = true;
      ota.stop();
      untick?.();
      scheduler?.stop();
      await chain;
      online = false;
      await conn?.stop(topics ? { topic: topics.status, payload: 'offline' } : undefined);
      await flash.save();
    },
    kill() {
      dead = true;
      online = false;
      ota.stop();
      untick?.();
      scheduler?.stop();
      conn?.kill();
    },
    drop() {
      conn?.drop();
    },
    async setFault(name, on) {
      if (!model.faults?.includes(name))
        throw new HearthError('unsupported', `a ${model.model} has no fault "${name}"`);
      if (on === state.faults.includes(name)) return;
      state.faults = on ? [...state.faults, name] : state.faults.filter((f) => f !== name);
      await flash.save();
      emit({ type: 'fault', fault: name, message: on ? `${name} fault` : `${name} cleared` });
      await publishState();
    },
    async sense(readings) {
      const { sense } = model;
      if (!sense) throw new HearthError('unsupported', `a ${model.model} has no sensors to drive`);
      await applyPhysics((ctx) => sense(ctx, readings));
    },
    tick(elapsedMs) {
      const { tick } = model;
      if (!tick || switches.frozen || dead) return;
      applyPhysics((ctx) => tick(ctx, elapsedMs)).catch(failed('tick'));
    },
    snapshot: () => ({
      bootCount: state.bootCount,
      seq,
      values: { ...state.values },
      faults: [...state.faults],
      schedulesVersion: state.schedules?.version ?? null,
    }),
  };
  return boot;
}
