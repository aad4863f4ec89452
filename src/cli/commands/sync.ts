import type { Command } from 'commander';
import { systemClock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { booksConnections, syncBooksConnection } from '../../providers/index.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../table.js';
import { firmOption } from './exceptions.js';

/** Pull the books now, in this process (the worker does the same on a schedule). */
export function registerSync(program: Command, ctx: CliContext): void {
  program
    .command('sync')
    .description('pull the books of a firm’s Xero or QuickBooks connections now')
    .option('--firm <firm>', 'firm id or name (default: the only firm)')
    .option('--connection <id>', 'only this connection')
    .option('--full', 'ignore the stored cursors: a full pass')
    .action(async (opts: { firm?: string; connection?: string; full?: boolean }) => {
      await ctx.withDb('cli', async (database) => {
        const firm = await firmOption(database.db, opts.firm);
        const list = (await booksConnections({ db: database.db }, { firmId: firm.id })).filter(
          (c) => !opts.connection || c.id === opts.connection,
        );
        if (list.length === 0)
          throw new AppError(
            'not_found',
            `no active Xero or QuickBooks connection for ${firm.name} (ledgerbridge connections)`,
          );
        const deps = {
          config: ctx.config,
          database,
          db: database.db,
          logger: ctx.logger,
          clock: systemClock,
          services: {},
        };
        for (const c of list) {
          const out = await syncBooksConnection(deps, c.id, {
            ...(opts.full ? { full: true } : {}),
            trigger: 'cli',
          });
          if (out.status === 'skipped') {
            ctx.out(`${c.displayName}: skipped, ${out.reason}`);
            continue;
          }
          const r = out.report;
          ctx.out(
            `${c.displayName}: sync ${r.status}${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}`,
          );
          ctx.out(
            renderTable(
              ['entity', 'pulled', 'new', 'changed', 'unchanged', 'errors'],
              Object.entries(r.kinds).map(([k, s]) => [
                k,
                s.pulled,
                s.inserted,
                s.updated,
                s.unchanged,
                s.errors,
              ]),
            ),
          );
        }
      });
    });
}
