import type { Command } from 'commander';
import { systemClock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { reconcileFirm } from '../../reconcile/index.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../table.js';
import { firmOption } from './exceptions.js';

export function registerReconcile(program: Command, ctx: CliContext): void {
  program
    .command('reconcile')
    .description('apply cash: match bank lines and unapplied credits to the books and open invoices')
    .option('--firm <firm>', 'firm id or name (default: the only firm)')
    .option(
      '--window-days <days>',
      'days a bank line may be from a booked payment (default MATCH_BOOKS_WINDOW_DAYS)',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { firm?: string; windowDays?: string; json?: boolean }) => {
      const windowDays =
        opts.windowDays === undefined ? ctx.config.MATCH_BOOKS_WINDOW_DAYS : Number(opts.windowDays);
      if (!Number.isInteger(windowDays) || windowDays < 0 || windowDays > 31)
        throw new AppError(
          'validation_failed',
          `--window-days must be a whole number from 0 to 31, not "${opts.windowDays}"`,
        );
      await ctx.withDb('cli', async ({ db }) => {
        const firm = await firmOption(db, opts.firm);
        const stats = await reconcileFirm(db, {
          firmId: firm.id,
          clock: systemClock,
          windowDays,
          actor: 'cli',
        });
        if (opts.json) return ctx.out(JSON.stringify(stats, null, 2));
        const kinds = Object.entries(stats.exceptionsByKind).sort(([a], [b]) => a.localeCompare(b));
        ctx.out(`cash application for ${firm.name}`);
        ctx.out(
          renderTable(
            ['tier', 'count'],
            [
              ['money-in bank lines considered', stats.bankLinesConsidered],
              ['unapplied credits considered', stats.creditsConsidered],
              ['already in the books', stats.alreadyInBooks],
              ['applied by invoice reference', stats.appliedByReference],
              ['applied by client and amount', stats.appliedByContactAmount],
              ...kinds.map(([k, n]): [string, number] => [`exception: ${k}`, n]),
              ['decided earlier, unchanged', stats.unchanged],
            ],
          ),
        );
      });
    });
}
