// `hearth mqtt-users add|list|remove`: MQTT users for integrations, on the data directory itself
// (like `hearth tokens`); a running hub ends a removed user's sessions within a second.
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { provisionOnce } from '../broker/mosquitto/provision-once.js';
import { systemClock } from '../infra/clock.js';
import { createMqttUserService } from '../security/mqtt-users.js';
import { DATA_DIR_OPTIONS, withDataDirStore } from './data-dir-store.js';

const spec: CommandSpec = {
  usage: 'hearth mqtt-users <add NAME|list|remove NAME> [options]',
  summary: 'Manage MQTT users for integrations (Home Assistant, Node-RED, bridges).',
  options: {
    pub: { type: 'string', multiple: true, value: 'FILTER', description: 'add: may publish on (repeatable)' },
    sub: {
      type: 'string',
      multiple: true,
      value: 'FILTER',
      description: 'add: may subscribe within (repeatable)',
    },
    ...DATA_DIR_OPTIONS,
  },
  notes: [
    'Hearth topics (hearth/#) are never writable by an integration; the password is shown once.',
    'Example:',
    '  Home Assistant (reads discovery, state and status; commands on hearth/ha/…):',
    "  hearth mqtt-users add ha --sub 'homeassistant/#' --sub 'hearth/dev/+/state' --sub 'hearth/dev/+/status' --pub 'hearth/ha/#' --pub 'homeassistant/status'",
    '  A Zigbee2MQTT bridge (announces discovery, publishes state, reads its commands):',
    "  hearth mqtt-users add z2m --pub 'homeassistant/#' --pub 'zigbee2mqtt/#' --sub 'zigbee2mqtt/#' --sub 'homeassistant/status'",
  ],
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const [action, name] = parsed.positionals;
    const v = parsed.values;
    return withDataDirStore(v, action === 'add', async (store, json, config) => {
      const users = createMqttUserService(store, systemClock);
      switch (action) {
        case 'add': {
          if (!name) throw new UsageError('mqtt-users add needs a NAME');
          const pub = (v.pub as string[] | undefined) ?? [];
          const sub = (v.sub as string[] | undefined) ?? [];
          if (pub.length + sub.length === 0) throw new UsageError('give at least one --pub or --sub filter');
          const { password, user } = users.add({ name, pub, sub }, 'cli');
          if (config.broker.mode === 'mosquitto') {
            const failed = await provisionOnce(config, (sync) => sync.addMqttUser(user, password));
            if (failed) process.stderr.write(`hearth: warning: ${failed}\n`);
          }
          process.stdout.write(
            json
              ? `${JSON.stringify({ ...user, password })}\n`
              : `MQTT user ${name}: username ${name}, password\n${password}\nIt is shown only once.\n`,
          );
          return 0;
        }
        case 'list': {
          const list = users.list();
          if (json) process.stdout.write(`${JSON.stringify(list)}\n`);
          else if (list.length === 0)
            process.stdout.write('no MQTT users (hearth mqtt-users add NAME ...)\n');
          else
            for (const u of list)
              process.stdout.write(
                `${u.name.padEnd(16)} pub ${u.pub.join(' ') || '-'}  sub ${u.sub.join(' ') || '-'}\n`,
              );
          return 0;
        }
        case 'remove': {
          if (!name) throw new UsageError('mqtt-users remove needs a NAME');
          users.remove(name, 'cli');
          process.stdout.write(
            json ? `${JSON.stringify({ removed: name })}\n` : `MQTT user ${name} removed\n`,
          );
          return 0;
        }
        default:
          throw new UsageError(`unknown action "${action ?? ''}": use add, list or remove`);
      }
    });
  });
}
