// `hearth device run --foreign KIND --mqtt URL`: a simulated device of another ecosystem that speaks
// Home Assistant MQTT discovery instead of Hearth's contract (see devices/foreign/profiles.ts).
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../shared/cli.js';
import { startForeignDevice } from '../foreign/foreign-device.js';
import { FOREIGN_PROFILES, type ForeignProfileName, foreignProfile } from '../foreign/profiles.js';
import { reportFailure } from './output.js';
import { printLine } from './serve.js';

export async function runForeign(v: Record<string, string | boolean | undefined>): Promise<number> {
  const kind = v.foreign as string;
  const json = v.json === true;
  if (!(FOREIGN_PROFILES as readonly string[]).includes(kind))
    throw new UsageError(`--foreign is one of ${FOREIGN_PROFILES.join(', ')}`);
  const url = v.mqtt as string | undefined;
  if (!url || !/^mqtts?:\/\//.test(url))
    throw new UsageError('--mqtt mqtt://HOST:PORT is needed with --foreign');
  const id = (v.id as string | undefined) ?? randomBytes(3).toString('hex').toUpperCase();
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new UsageError('--id is 1-32 of A-Z a-z 0-9 _ -');
  const name = (v.name as string | undefined) ?? `Simulated ${kind}`;
  const password = (v.password as string | undefined) ?? process.env.HEARTH_MQTT_PASSWORD;
  try {
    const device = await startForeignDevice({
      url,
      clientId: `${kind}-${id}`,
      ...(v.username ? { username: v.username as string } : {}),
      ...(password ? { password } : {}),
      profile: foreignProfile(kind as ForeignProfileName, name, id),
      onCommand: (topic, payload, state) =>
        printLine(json, { event: 'command', topic, payload, state }, `${topic} ${payload}`),
    });
    printLine(json, { event: 'announced', kind, id, name }, `${name} (${kind}) announced on ${url}`);
    return await new Promise<number>((resolveExit) => {
      const shutdown = () => {
        process.off('SIGINT', shutdown);
        process.off('SIGTERM', shutdown);
        void device.stop().finally(() => resolveExit(0));
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    });
  } catch (err) {
    return reportFailure(err, json, 'device run --foreign');
  }
}
