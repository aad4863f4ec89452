import type { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../../db/repos/api-keys.js';
import { requireFirm } from '../../db/repos/firms.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../table.js';
import { firmOption } from './exceptions.js';

export function registerKeys(program: Command, ctx: CliContext): Command {
  const keys = program.command('keys').description('API keys: create, list, revoke');
  keys
    .command('create')
    .description('create an API key (printed once)')
    .requiredOption('--firm <firm>', 'firm id or name')
    .requiredOption('--name <who>', 'who uses it: the name is the actor in the audit log')
    .action(async (opts: { firm: string; name: string }) => {
      await ctx.withDb('cli', async ({ db }) => {
        const firm = await requireFirm(db, opts.firm);
        const { key, info } = await createApiKey(db, { firmId: firm.id, name: opts.name, actor: 'cli' });
        ctx.out(
          `API key "${info.name}" for ${firm.name} (id ${info.id}). It is shown once, keep it now:\n${key}`,
        );
      });
    });
  keys
    .command('list')
    .option('--firm <firm>', 'firm id or name (default: the only firm)')
    .action(async (opts: { firm?: string }) => {
      await ctx.withDb('cli', async ({ db }) => {
        const firm = await firmOption(db, opts.firm);
        const list = await listApiKeys(db, firm.id);
        ctx.out(
          renderTable(
            ['id', 'name', 'prefix', 'created', 'revoked'],
            list.map((k) => [
              k.id,
              k.name,
              `${k.prefix}…`,
              k.createdAt.toISOString(),
              k.revokedAt?.toISOString() ?? '',
            ]),
          ),
        );
      });
    });
  keys
    .command('revoke <keyId>')
    .requiredOption('--firm <firm>', 'firm id or name')
    .action(async (keyId: string, opts: { firm: string }) => {
      await ctx.withDb('cli', async ({ db }) => {
        const firm = await requireFirm(db, opts.firm);
        const k = await revokeApiKey(db, { firmId: firm.id, keyId, actor: 'cli' });
        ctx.out(`revoked key "${k.name}" (${k.id})`);
      });
    });
  return keys;
}
