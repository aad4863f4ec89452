import type { Command } from 'commander';
import { audit } from '../../db/repos/audit.js';
import { createFirm, listFirms } from '../../db/repos/firms.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../table.js';

export function registerFirms(program: Command, ctx: CliContext): void {
  const firms = program
    .command('firms')
    .description('list firms (ledgerbridge firms create <name> adds one)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await ctx.withDb('cli', async ({ db }) => {
        const list = await listFirms(db);
        if (opts.json) return ctx.out(JSON.stringify(list, null, 2));
        ctx.out(
          list.length
            ? renderTable(
                ['id', 'name', 'base currency', 'time zone'],
                list.map((f) => [f.id, f.name, f.baseCurrency, f.timezone]),
              )
            : 'no firms yet: ledgerbridge firms create "<name>" --base-currency USD --timezone America/New_York',
        );
      });
    });
  firms
    .command('create <name>')
    .description('create a firm')
    .requiredOption('--base-currency <code>', 'ISO 4217 base currency, e.g. USD')
    .requiredOption('--timezone <zone>', 'IANA time zone, e.g. America/New_York')
    .action(async (name: string, opts: { baseCurrency: string; timezone: string }) => {
      await ctx.withDb('cli', async ({ db }) => {
        const firm = await createFirm(db, { name, baseCurrency: opts.baseCurrency, timezone: opts.timezone });
        await audit(db, {
          firmId: firm.id,
          actor: 'cli',
          action: 'firm.created',
          subjectKind: 'firm',
          subjectId: firm.id,
        });
        ctx.out(`created firm ${firm.name} (${firm.id}), ${firm.baseCurrency}, ${firm.timezone}`);
      });
    });
}
