// Fuzzes what devices publish. A registered device sends hostile payloads on each of its own
// channels; after each one it sends a status the hub always refuses, so when that refusal is counted
// the hostile payload has been handled. Then: a payload the shared schema refuses must be refused
// (counted), and a refused payload must have committed nothing. A second device publishes outside
// its rights and must be disconnected without a write.
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { z } from 'zod';
import { MODELS } from '../../devices/models/index.js';
import { decodeJson } from '../../shared/decode.js';
import { ERROR_CODES } from '../../shared/errors.js';
import {
  AckSchema,
  DeviceEventSchema,
  DeviceInfoSchema,
  DeviceStateSchema,
  PAYLOAD_LIMITS,
} from '../../shared/payloads.js';
import { DEVICE_CHANNELS, DEVICE_PUBLISH_CHANNELS, deviceTopic, hubTopic } from '../../shared/topics.js';
import { describeChanges } from './change-log.js';
import type { FuzzTally } from './findings.js';
import { type FuzzHub, until } from './fuzz-hub.js';
import { hostilePayload } from './hostile-payloads.js';
import type { Hints, JsonSchema } from './schema-arbitrary.js';

/** Real capability lists: declarations have cross-field rules a schema-only draw rarely meets. */
const CAPABILITY_LISTS = Object.values(MODELS).map((m) => m.capabilities);

const JSON_CHANNELS = {
  info: { schema: DeviceInfoSchema, limit: PAYLOAD_LIMITS.info, hints: { capabilities: CAPABILITY_LISTS } },
  state: { schema: DeviceStateSchema, limit: PAYLOAD_LIMITS.state, hints: {} },
  ack: { schema: AckSchema, limit: PAYLOAD_LIMITS.ack, hints: {} },
  event: { schema: DeviceEventSchema, limit: PAYLOAD_LIMITS.event, hints: {} },
} satisfies Record<string, { schema: z.ZodType; limit: number; hints: Hints }>;
type JsonChannel = keyof typeof JSON_CHANNELS;

/** How long a device that published outside its rights may stay connected. */
const DISCONNECT_WITHIN_MS = 3000;

/** A status the hub always refuses: the marker that everything before it has been handled. */
const SENTINEL = Buffer.from('fuzz-sentinel');

const statusPayload: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .constantFrom('online', 'offline', '', 'Online', 'online\n', ' offline', 'true', '"online"')
    .map(Buffer.from),
  fc.string({ maxLength: 20 }).map(Buffer.from),
  fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b)),
);

/** What the contract says about a payload: refused, ignored (an empty retained clear) or either. */
function expectation(channel: string, payload: Buffer): 'refuse' | 'ignore' | 'either' {
  if (channel === 'status') {
    if (payload.length === 0) return 'ignore';
    const text = payload.toString('utf8');
    return text === 'online' || text === 'offline' ? 'either' : 'refuse';
  }
  if (payload.length === 0 && (channel === 'info' || channel === 'state')) return 'ignore';
  const { schema, limit } = JSON_CHANNELS[channel as JsonChannel];
  return decodeJson(schema, payload, limit).ok ? 'either' : 'refuse';
}

export async function fuzzDeviceChannels(
  h: FuzzHub,
  tally: FuzzTally,
  runs: number,
  seed: number,
): Promise<void> {
  const invalid = h.hub.context.metrics.counter('hearth_invalid_payloads_total', '');
  const refusals = (channel: string) =>
    ERROR_CODES.reduce((n, code) => n + invalid.get({ channel, code }), 0);
  let client = await h.connect(h.target);

  const deliver = async (channel: string, payload: Buffer): Promise<void> => {
    if (client.disconnected || client.disconnecting) client = await h.connect(h.target);
    const label = `mqtt ${channel}`;
    const expected = expectation(channel, payload);
    const refusedBefore = refusals(channel);
    const statusBefore = refusals('status');
    let onClose: () => void = () => undefined;
    const dropped = new Promise<'closed'>((resolve) => {
      onClose = () => resolve('closed');
      client.once('close', onClose);
    });
    const sent = (async () => {
      await client.publishAsync(deviceTopic(h.target.id, channel as never), payload, { qos: 1 });
      await client.publishAsync(deviceTopic(h.target.id, 'status'), SENTINEL, { qos: 1 });
      return 'sent' as const;
    })().catch(() => 'closed' as const);
    const outcome = await Promise.race([sent, dropped]);
    client.off('close', onClose);
    if (outcome === 'closed') {
      tally.report(
        label,
        'the broker dropped the connection of a device publishing on its own topic',
        payload,
      );
      return;
    }
    const ownStatusRefusal = channel === 'status' && expected === 'refuse' ? 1 : 0;
    await until(
      () => refusals('status') >= statusBefore + 1 + ownStatusRefusal,
      'the sentinel to be refused',
    );
    await h.settle();
    const refused =
      channel === 'status' ? refusals('status') - statusBefore - 1 > 0 : refusals(channel) > refusedBefore;
    tally.count(label, refused);
    if (expected === 'refuse' && !refused)
      tally.report(label, 'accepted a payload the contract refuses', payload);
    if (expected === 'ignore' && refused)
      tally.report(label, 'refused an empty (cleared retained) payload', payload);
    const changes = h.changes.take();
    if ((refused || expected === 'ignore') && changes.length > 0)
      tally.report(label, `a refused payload changed rows: ${describeChanges(changes)}`, payload);
    for (const line of h.takeErrors()) tally.report(label, `the hub logged an error: ${line}`, payload);
  };

  const channels = [...Object.keys(JSON_CHANNELS), 'status'];
  const perChannel = Math.ceil(runs / channels.length);
  for (const [i, channel] of channels.entries()) {
    const payloads =
      channel === 'status'
        ? statusPayload
        : hostilePayload(
            z.toJSONSchema(JSON_CHANNELS[channel as JsonChannel].schema, {
              unrepresentable: 'any',
              io: 'input',
            }) as JsonSchema,
            JSON_CHANNELS[channel as JsonChannel].limit,
            JSON_CHANNELS[channel as JsonChannel].hints,
          );
    await fc.assert(
      fc.asyncProperty(payloads, (payload) => deliver(channel, payload)),
      { numRuns: perChannel, seed: seed + i, endOnFailure: true },
    );
  }
  // The target goes offline when it leaves (a legitimate write): wait for it before the next phase.
  await client.endAsync(true);
  await until(() => h.hub.context.registry.get(h.target.id)?.online !== true, 'the target to go offline');
  await h.settle();
  h.changes.take();
}

/** Topics a device may not publish to: other devices', its own inbound ones, the hub's, wildcards. */
function forbiddenTopics(h: FuzzHub): fc.Arbitrary<string> {
  const own = new Set(DEVICE_PUBLISH_CHANNELS.map((c) => deviceTopic(h.intruder.id, c)));
  return fc
    .oneof(
      fc.constantFrom(...DEVICE_CHANNELS).map((c) => deviceTopic(h.target.id, c)),
      fc.constantFrom(...DEVICE_CHANNELS).map((c) => deviceTopic(h.responder.id, c)),
      fc.constantFrom('cmd', 'schedules', 'ota').map((c) => deviceTopic(h.intruder.id, c as never)),
      fc.constantFrom(hubTopic('status'), hubTopic('time'), 'hearth/provision/abcdefgh12/credentials'),
      fc.constantFrom('hearth/dev/+/state', 'hearth/#', '#', '+', `hearth/dev/${h.intruder.id}/#`),
      fc.string({ minLength: 1, maxLength: 40 }).map((s) => `hearth/${s}`),
      fc.string({ minLength: 1, maxLength: 40 }),
    )
    .filter((t) => !own.has(t));
}

export async function fuzzForbiddenTopics(
  h: FuzzHub,
  tally: FuzzTally,
  runs: number,
  seed: number,
): Promise<void> {
  const payloads = fc.oneof(
    fc.constant(
      Buffer.from(
        JSON.stringify({ id: 'fuzz', capability: 'power', value: true, issuedAt: 1, expiresAt: 2 }),
      ),
    ),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    statusPayload,
  );
  const attempt = async (topic: string, payload: Buffer) => {
    const label = 'mqtt outside own topics';
    const client: MqttClient = await h.connect(h.intruder);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish(topic, payload, { qos: 1 }, () => undefined);
    let timer: NodeJS.Timeout | undefined;
    const disconnected = await Promise.race([
      closed.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), DISCONNECT_WITHIN_MS);
      }),
    ]);
    clearTimeout(timer);
    await client.endAsync(true);
    await h.settle();
    tally.count(label, disconnected);
    if (!disconnected) tally.report(label, `publishing to ${topic} did not disconnect the device`, payload);
    const changes = h.changes.take();
    if (changes.length > 0)
      tally.report(label, `a refused publish to ${topic} changed rows: ${describeChanges(changes)}`, payload);
    for (const line of h.takeErrors()) tally.report(label, `the hub logged an error: ${line}`, payload);
  };
  await fc.assert(
    fc.asyncProperty(forbiddenTopics(h), payloads, (topic, payload) => attempt(topic, payload)),
    { numRuns: runs, seed, endOnFailure: true },
  );
}
