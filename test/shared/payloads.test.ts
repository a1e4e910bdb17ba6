import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../shared/decode.js';
import {
  AckSchema,
  CommandSchema,
  DeviceEventSchema,
  DeviceInfoSchema,
  DeviceSchedulesSchema,
  DeviceStateSchema,
  HubTimeSchema,
  OtaOfferSchema,
  PAYLOAD_LIMITS,
  ProvisionAnnounceSchema,
  ProvisionChallengeSchema,
  ProvisionCredentialsSchema,
  ProvisionProofSchema,
  ProvisionSealedSchema,
} from '../../shared/payloads.js';

const now = 1_790_000_000_000;
const valid = {
  info: {
    model: 'tv',
    firmware: '1.2.0',
    capabilities: [{ name: 'power' }, { name: 'input', options: ['tv', 'hdmi1'] }],
  },
  state: { seq: 3, ts: now, values: { power: true, channel: 7 } },
  cmd: { id: 'c-1', capability: 'feed', params: { portions: 2 }, issuedAt: now, expiresAt: now + 60_000 },
  ack: { id: 'c-1', ok: false, error: { code: 'device_fault', message: 'jammed' } },
  event: { type: 'fed', ts: now, portions: 2 },
  schedules: {
    version: 2,
    schedules: [
      {
        id: 'dinner',
        cron: '0 18 * * *',
        tz: 'Europe/London',
        enabled: true,
        catchUp: { policy: 'skip' },
        command: { capability: 'feed', params: { portions: 1 } },
      },
    ],
  },
  ota: {
    rollout: 'r-1',
    model: 'feeder',
    version: '1.3.0',
    path: '/api/v1/firmware/images/abc/download',
    httpPort: 8080,
    sha256: 'a'.repeat(64),
    signature: 's'.repeat(86),
    size: 1024,
  },
  time: { now },
  announce: { model: 'feeder', firmware: '1.0.0', capabilities: [{ name: 'feed' }] },
  credentials: { deviceId: 'feeder-1', secret: 's'.repeat(43) },
  challenge: { hubNonce: 'n'.repeat(22) },
  proof: { hubNonce: 'n'.repeat(22), deviceNonce: 'd'.repeat(22), proof: 'p'.repeat(43) },
  sealed: {
    hubNonce: 'n'.repeat(22),
    deviceNonce: 'd'.repeat(22),
    sealed: { iv: 'i'.repeat(16), data: 'x'.repeat(100), tag: 't'.repeat(22) },
  },
};

const cases = [
  ['info', DeviceInfoSchema, valid.info, PAYLOAD_LIMITS.info],
  ['state', DeviceStateSchema, valid.state, PAYLOAD_LIMITS.state],
  ['cmd', CommandSchema, valid.cmd, PAYLOAD_LIMITS.cmd],
  ['ack', AckSchema, valid.ack, PAYLOAD_LIMITS.ack],
  ['event', DeviceEventSchema, valid.event, PAYLOAD_LIMITS.event],
  ['schedules', DeviceSchedulesSchema, valid.schedules, PAYLOAD_LIMITS.schedules],
  ['ota', OtaOfferSchema, valid.ota, PAYLOAD_LIMITS.ota],
  ['hub time', HubTimeSchema, valid.time, PAYLOAD_LIMITS.hubTime],
  ['announce', ProvisionAnnounceSchema, valid.announce, PAYLOAD_LIMITS.provision],
  ['credentials', ProvisionCredentialsSchema, valid.credentials, PAYLOAD_LIMITS.provision],
  ['challenge', ProvisionChallengeSchema, valid.challenge, PAYLOAD_LIMITS.provision],
  ['proof', ProvisionProofSchema, valid.proof, PAYLOAD_LIMITS.provision],
  ['sealed credentials', ProvisionSealedSchema, valid.sealed, PAYLOAD_LIMITS.provision],
] as const;

describe('payload schemas', () => {
  for (const [name, schema, example, limit] of cases) {
    describe(name, () => {
      it('accepts its valid example, from bytes', () => {
        const r = decodeJson(schema, Buffer.from(JSON.stringify(example)), limit);
        expect(r.ok).toBe(true);
      });
      it('rejects malformed JSON with invalid_json', () => {
        const r = decodeJson(schema, Buffer.from(JSON.stringify(example).slice(0, -1)), limit);
        expect(r).toMatchObject({ ok: false, error: { code: 'invalid_json' } });
      });
      it('rejects bytes that are not UTF-8 with invalid_payload', () => {
        const r = decodeJson(schema, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), limit);
        expect(r).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
      });
      it('rejects an oversized payload with payload_too_large before parsing', () => {
        const r = decodeJson(schema, Buffer.alloc(limit + 1, 0x20), limit);
        expect(r).toMatchObject({ ok: false, error: { code: 'payload_too_large' } });
      });
      it('rejects wrong types and unknown fields with invalid_payload', () => {
        expect(decodeJson(schema, JSON.stringify([example]), limit)).toMatchObject({
          ok: false,
          error: { code: 'invalid_payload' },
        });
        expect(decodeJson(schema, JSON.stringify({ ...example, surprise: 1 }), limit)).toMatchObject({
          ok: false,
        });
        expect(decodeJson(schema, 'null', limit)).toMatchObject({
          ok: false,
          error: { code: 'invalid_payload' },
        });
      });
    });
  }

  it('state: refuses unknown capabilities, a negative or fractional seq, non-scalar values', () => {
    for (const bad of [
      { ...valid.state, values: { warp_drive: 1 } },
      { ...valid.state, seq: -1 },
      { ...valid.state, seq: 1.5 },
      { ...valid.state, values: { power: { on: true } } },
    ]) {
      expect(DeviceStateSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(DeviceStateSchema.safeParse({ ...valid.state, values: {} }).success).toBe(true);
  });

  it('cmd: refuses a bad id, value and params together, expiry before issue, unknown capability', () => {
    for (const bad of [
      { ...valid.cmd, id: 'has space' },
      { ...valid.cmd, id: '' },
      { ...valid.cmd, value: true },
      { ...valid.cmd, expiresAt: now - 1 },
      { ...valid.cmd, capability: 'self_destruct' },
    ]) {
      expect(CommandSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('info: capability declarations may narrow the catalog but not widen it', () => {
    const withDecl = (decl: object) =>
      DeviceInfoSchema.safeParse({ ...valid.info, capabilities: [decl] }).success;
    expect(withDecl({ name: 'channel', min: 1, max: 99 })).toBe(true);
    expect(withDecl({ name: 'volume', max: 150 })).toBe(false);
    expect(withDecl({ name: 'input', options: ['hdmi9'] })).toBe(false);
    expect(withDecl({ name: 'power', options: ['on'] })).toBe(false);
    expect(withDecl({ name: 'channel', min: 50, max: 10 })).toBe(false);
    expect(withDecl({ name: 'teleport' })).toBe(false);
  });

  it('credentials and ids: device ids follow the rule', () => {
    for (const id of ['Feeder', '-x', '', 'a'.repeat(64), 'a_b', 'a/b']) {
      expect(ProvisionCredentialsSchema.safeParse({ ...valid.credentials, deviceId: id }).success, id).toBe(
        false,
      );
    }
  });

  it('events: each type has its own shape', () => {
    expect(DeviceEventSchema.safeParse({ type: 'fed', ts: now, portions: 0 }).success).toBe(false);
    expect(DeviceEventSchema.safeParse({ type: 'exploded', ts: now }).success).toBe(false);
    expect(
      DeviceEventSchema.safeParse({
        type: 'schedule-ran',
        ts: now,
        scheduleId: 'd',
        occurrence: 'd@x',
        ok: true,
      }).success,
    ).toBe(true);
  });
});
