// Commands from the cloud (control from away) enter through the same command path and checks as
// the phone, as the identity "cloud", whose rights are the configured capabilities only. Each
// carries an id: a command the cloud delivers twice (a replay, a redelivery after a reconnect)
// is the same command, never a second feed; ids are kept on disk (the command path's idempotency
// keys, 24 h), so a restart does not forget them. `issuedAt` and `ttlMs` bound how late a command
// may still run: one that arrives after it expired is refused as `expired`.
import type { MqttClient } from 'mqtt';
import { z } from 'zod';
import { decodeJson } from '../../../shared/decode.js';
import { HearthError } from '../../../shared/errors.js';
import type { CommandService } from '../../core/context.js';
import type { Logger } from '../../infra/log.js';

/** At most the idempotency keys' lifetime: a command is never still runnable once its id is forgotten. */
export const REMOTE_MAX_TTL_MS = 24 * 3600_000;

export const RemoteCommandSchema = z.strictObject({
  id: z.string().min(1).max(64),
  capability: z.string().min(1).max(32),
  value: z.union([z.boolean(), z.number(), z.string().max(64)]).optional(),
  params: z.record(z.string().max(32), z.number()).optional(),
  /** When the cloud issued it (epoch ms); the ttl counts from here. */
  issuedAt: z.number().int().nonnegative().optional(),
  ttlMs: z.number().int().min(1).max(REMOTE_MAX_TTL_MS).optional(),
});

export function handleRemoteCommands(
  client: MqttClient,
  prefix: string,
  allowed: readonly string[],
  commands: CommandService,
  log: Logger,
): void {
  const reply = (deviceId: string, body: object) =>
    client.publish(`${prefix}/cmd-result/${deviceId}`, JSON.stringify(body), { qos: 1 });
  // On every connect: a session the cloud has forgotten needs the subscription again.
  client.on('connect', () => client.subscribe(`${prefix}/cmd/+`, { qos: 1 }));
  client.on('message', (topic, payload) => {
    if (!topic.startsWith(`${prefix}/cmd/`)) return;
    const deviceId = topic.slice(prefix.length + 5);
    const parsed = decodeJson(RemoteCommandSchema, payload, 4096);
    if (!parsed.ok) return reply(deviceId, { ok: false, error: parsed.error });
    const cmd = parsed.value;
    const ref = { id: cmd.id };
    if (!allowed.includes(cmd.capability)) {
      log.warn(
        { deviceId, capability: cmd.capability },
        'remote command refused: the cloud identity lacks the right',
      );
      return reply(deviceId, {
        ...ref,
        ok: false,
        error: { code: 'forbidden', message: `the cloud may not use ${cmd.capability}` },
      });
    }
    commands
      .issue(
        {
          deviceId,
          capability: cmd.capability,
          value: cmd.value,
          params: cmd.params,
          ttlMs: cmd.ttlMs,
          issuedAt: cmd.issuedAt,
          source: 'cloud',
        },
        { waitMs: 5000, idempotencyKey: cmd.id },
      )
      .then(
        (r) =>
          reply(deviceId, {
            ...ref,
            ok: r.status === 'done' || r.status === 'pending' || r.status === 'sent',
            status: r.status,
            commandId: r.id,
            ...(r.error ? { error: r.error } : {}),
          }),
        (err: unknown) =>
          reply(deviceId, {
            ...ref,
            ok: false,
            error:
              err instanceof HearthError
                ? err.toBody()
                : { code: 'internal', message: 'the hub could not take the command' },
          }),
      );
  });
}
