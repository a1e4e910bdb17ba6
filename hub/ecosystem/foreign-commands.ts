// The command side of a foreign device: a Hearth command on `hearth/dev/<id>/cmd` becomes the
// payload the device documents on its own command topic, then an ack; an id is performed once.
import { decodeJson } from '../../shared/decode.js';
import { type ErrorBody, HearthError } from '../../shared/errors.js';
import { type Ack, type Command, CommandSchema, PAYLOAD_LIMITS } from '../../shared/payloads.js';
import { deviceTopic, parseTopic } from '../../shared/topics.js';
import type { HubMessaging } from '../core/context.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/log.js';
import { type ForeignDevice, ownerOf } from './foreign-device.js';
import type { ForeignPublication } from './foreign-publication.js';

const RECENT_COMMANDS = 256;

export function createForeignCommands(deps: {
  devices: Map<string, ForeignDevice>;
  hub: HubMessaging;
  /** Where the devices' own command topics are. */
  remote: HubMessaging;
  publication: ForeignPublication;
  clock: Clock;
  log: Logger;
}): (topic: string, payload: Buffer) => Promise<void> {
  const { devices, hub, remote, publication, clock, log } = deps;
  const recent = new Map<string, Ack>();

  const ack = (deviceId: string, a: Ack) => {
    recent.set(a.id, a);
    if (recent.size > RECENT_COMMANDS) recent.delete(recent.keys().next().value as string);
    return hub.publish(deviceTopic(deviceId, 'ack'), JSON.stringify(a), { qos: 1 });
  };
  const fail = (id: string, error: ErrorBody): Ack => ({ id, ok: false, error });

  async function perform(d: ForeignDevice, cmd: Command): Promise<Ack> {
    if (cmd.expiresAt < clock.now())
      return fail(cmd.id, { code: 'expired', message: 'the command expired before it reached the device' });
    const entity = ownerOf(d, cmd.capability);
    if (!entity) return fail(cmd.id, { code: 'unsupported', message: `no entity carries ${cmd.capability}` });
    try {
      for (const m of entity.binding.write(cmd.capability, cmd.value))
        await remote.publish(m.topic, m.payload);
    } catch (err) {
      if (err instanceof HearthError) return fail(cmd.id, { code: err.code, message: err.message });
      throw err;
    }
    if (entity.binding.optimistic && cmd.value !== undefined) {
      d.reported[cmd.capability] = cmd.value;
      await publication.state(d);
    }
    return { id: cmd.id, ok: true };
  }

  return async (topic, payload) => {
    const t = parseTopic(topic);
    const d = t?.kind === 'device' ? devices.get(t.deviceId) : undefined;
    if (!d) return;
    const decoded = decodeJson(CommandSchema, payload, PAYLOAD_LIMITS.cmd);
    if (!decoded.ok) return log.warn({ deviceId: d.id, error: decoded.error }, 'refused command');
    const cmd = decoded.value;
    // A command id is performed once: a resend (after a reconnect) hears the first outcome again.
    const seen = recent.get(cmd.id);
    await ack(d.id, seen ?? (await perform(d, cmd)));
  };
}
