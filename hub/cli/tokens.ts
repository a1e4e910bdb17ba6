// `hearth tokens create|list|revoke`: works on the data directory itself, so an owner at the
// Pi's console can always get in, whether or not the hub is running.
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { provisionOnce } from '../broker/mosquitto/provision-once.js';
import { ROLES, type Role } from '../core/rights.js';
import { systemClock } from '../infra/clock.js';
import { createTokenService } from '../security/token-service.js';
import { DATA_DIR_OPTIONS, withDataDirStore } from './data-dir-store.js';

const spec: CommandSpec = {
  usage: 'hearth tokens <create|list|revoke> [options]',
  summary: 'Manage API tokens (phones, scripts, integrations) directly in the data directory.',
  options: {
    name: { type: 'string', value: 'NAME', description: 'create: a name to recognise the token by' },
    role: { type: 'string', value: 'ROLE', description: 'create: admin, member or guest (default admin)' },
    grant: {
      type: 'string',
      multiple: true,
      value: 'DEVICE:CAPS',
      description: 'create, guests only: a device and capabilities (feeder-1:feed, tv-1:*), repeatable',
    },
    id: { type: 'string', value: 'ID', description: 'revoke: the token id (see list)' },
    ...DATA_DIR_OPTIONS,
  },
  notes: [
    'Examples:',
    '  hearth tokens create --name laptop          prints the token once; store it safely',
    '  hearth tokens create --name sitter --role guest --grant feeder-1:feed',
    '  hearth tokens list',
    '  hearth tokens revoke --id 3f2a9c1b0d4e',
  ],
};

export function run(args: string[]): Promise<number> {
  return runCommand(async () => {
    const parsed = parseCommand(spec, args);
    if (!parsed) return 0;
    const [action, positionalId] = parsed.positionals;
    const v = parsed.values;
    return withDataDirStore(v, action === 'create', async (store, json, config) => {
      const tokens = createTokenService(store, systemClock);
      switch (action) {
        case 'create': {
          const name = v.name as string | undefined;
          if (!name) throw new UsageError('tokens create needs --name NAME');
          const role = (v.role as string | undefined) ?? 'admin';
          if (!ROLES.includes(role as Role))
            throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
          const grants = (v.grant as string[] | undefined) ?? [];
          const { token, view } = tokens.create({ name, role: role as Role, grants, actor: 'cli' });
          if (config.broker.mode === 'mosquitto') {
            const failed = await provisionOnce(config, (sync) => sync.addToken(view, token));
            process.stderr.write(
              failed ? `hearth: warning: ${failed}\n` : `MQTT on mosquitto: username token-${view.id}\n`,
            );
          }
          const rights = view.grants.length ? `${role}: ${view.grants.join(' ')}` : role;
          process.stdout.write(
            json
              ? `${JSON.stringify({ token, id: view.id, role: view.role, grants: view.grants })}\n`
              : `token ${view.id} (${rights}) for "${name}":\n${token}\nIt is shown only once.\n`,
          );
          return 0;
        }
        case 'list': {
          const list = tokens.list();
          if (json) process.stdout.write(`${JSON.stringify(list)}\n`);
          else if (list.length === 0)
            process.stdout.write('no tokens yet (pair a phone, or: hearth tokens create --name NAME)\n');
          else
            for (const t of list)
              process.stdout.write(
                `${t.id}  ${t.name.padEnd(20)} ${t.role.padEnd(6)} ${t.revokedAt ? 'revoked' : 'active '}  created ${new Date(t.createdAt).toISOString()}${t.grants.length ? `  grants ${t.grants.join(' ')}` : ''}\n`,
              );
          return 0;
        }
        case 'revoke': {
          const id = (v.id as string | undefined) ?? positionalId;
          if (!id) throw new UsageError('tokens revoke needs --id ID (see hearth tokens list)');
          tokens.revoke(id, 'cli');
          process.stdout.write(json ? `${JSON.stringify({ revoked: id })}\n` : `token ${id} revoked\n`);
          return 0;
        }
        default:
          throw new UsageError(`unknown action "${action ?? ''}": use create, list or revoke`);
      }
    });
  });
}
