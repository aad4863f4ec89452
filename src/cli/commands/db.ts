import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerDb(program: Command, ctx: CliContext): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (also done at every start)')
    .action(async () => {
      await ctx.withDb('migrate', async (database) => {
        ctx.out(`database (${database.kind}) is migrated`);
      });
    });
}
