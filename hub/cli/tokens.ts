// `hearth tokens create|list|revoke`: works on the data directory itself, so an owner at the
// Pi's console can always get in, whether or not the hub is running.
import { existsSync } from 'node:fs';
import { type CommandSpec, parseCommand, runCommand, UsageError } from '../../shared/cli.js';
import { HearthError } from '../../shared/errors.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../context.js';
import { createTokenService, TOKEN_SCOPES, type TokenScope } from '../security/token-service.js';
import { openStore, storePath } from '../store/db.js';

const spec: CommandSpec = {
  usage: 'hearth tokens <create|list|revoke> [options]',
  summary: 'Manage API tokens (phones, scripts, integrations) directly in the data directory.',
  options: {
    name: { type: 'string', value: 'NAME', description: 'create: a name to recognise the token by' },
    scope: { type: 'string', value: 'SCOPE', description: 'create: admin or control (default admin)' },
    id: { type: 'string', value: 'ID', description: 'revoke: the token id (see list)' },
    'data-dir': { type: 'string', value: 'DIR', description: 'data directory (HEARTH_DATA_DIR)' },
    json: { type: 'boolean', description: 'machine-readable output' },
  },
  notes: [
    'Examples:',
    '  hearth tokens create --name laptop          prints the token once; store it safely',
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
    const config = loadConfig({ flags: { dataDir: v['data-dir'] as string | undefined } });
    const path = storePath(config.dataDir);
    if (!existsSync(path) && action !== 'create') {
      process.stderr.write(
        `hearth: no hub data in ${config.dataDir} (start the hub once, or pass --data-dir)\n`,
      );
      return 1;
    }
    const store = openStore(path);
    try {
      const tokens = createTokenService(store, systemClock);
      const json = v.json === true;
      switch (action) {
        case 'create': {
          const name = v.name as string | undefined;
          if (!name) throw new UsageError('tokens create needs --name NAME');
          const scope = (v.scope as string | undefined) ?? 'admin';
          if (!TOKEN_SCOPES.includes(scope as TokenScope))
            throw new UsageError(`--scope must be one of ${TOKEN_SCOPES.join(', ')}`);
          const { token, view } = tokens.create({ name, scopes: [scope as TokenScope], actor: 'cli' });
          process.stdout.write(
            json
              ? `${JSON.stringify({ token, id: view.id })}\n`
              : `token ${view.id} (${scope}) for "${name}":\n${token}\nIt is shown only once.\n`,
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
                `${t.id}  ${t.name.padEnd(20)} ${t.scopes.join(',').padEnd(8)} ${t.revokedAt ? 'revoked' : 'active'}  created ${new Date(t.createdAt).toISOString()}\n`,
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
    } catch (err) {
      if (err instanceof HearthError) {
        process.stderr.write(`hearth: ${err.message}\n`);
        return 1;
      }
      throw err;
    } finally {
      store.close();
    }
  });
}
