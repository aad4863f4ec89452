import type { Command } from 'commander';
import { ExceptionKind, ExceptionStatus } from '../../canonical/index.js';
import { listExceptions } from '../../db/repos/exceptions.js';
import { listFirms, requireFirm } from '../../db/repos/firms.js';
import { listSyncErrors } from '../../db/repos/sync-errors.js';
import type { Db } from '../../db/types.js';
import { AppError } from '../../lib/errors.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../table.js';

/** The firm named, or the only firm there is. */
export async function firmOption(db: Db, firm: string | undefined) {
  if (firm) return requireFirm(db, firm);
  const all = await listFirms(db);
  if (all.length === 1) return all[0]!;
  throw new AppError(
    'validation_failed',
    all.length ? 'several firms: name one with --firm' : 'no firms yet (ledgerbridge firms create)',
  );
}

export function registerExceptions(program: Command, ctx: CliContext): void {
  program
    .command('exceptions')
    .description('the exceptions list: what needs a person')
    .option('--firm <firm>', 'firm id or name (default: the only firm)')
    .option('--status <status>', 'open | resolved | ignored', 'open')
    .option('--kind <kind>', 'only this kind')
    .option('--json', 'print JSON')
    .action(async (opts: { firm?: string; status: string; kind?: string; json?: boolean }) => {
      const status = ExceptionStatus.safeParse(opts.status);
      if (!status.success)
        throw new AppError(
          'validation_failed',
          `--status must be open, resolved or ignored, not "${opts.status}"`,
        );
      if (opts.kind && !ExceptionKind.safeParse(opts.kind).success) {
        throw new AppError(
          'validation_failed',
          `--kind must be one of ${ExceptionKind.options.join(', ')}, not "${opts.kind}"`,
        );
      }
      await ctx.withDb('cli', async ({ db }) => {
        const firm = await firmOption(db, opts.firm);
        const rows = await listExceptions(db, {
          firmId: firm.id,
          status: status.data,
          kind: opts.kind,
          limit: 10_000,
        });
        if (opts.json) {
          return ctx.out(
            JSON.stringify(
              rows.map((r) => ({
                id: r.id,
                kind: r.kind,
                status: r.status,
                reason: r.reason,
                subject: { kind: r.subjectKind, id: r.subjectId },
                candidates: r.candidates,
              })),
              null,
              2,
            ),
          );
        }
        if (!rows.length) return ctx.out(`no ${status.data} exceptions for ${firm.name}`);
        ctx.out(
          renderTable(
            ['kind', 'reason', 'top candidates', 'id'],
            rows.map((r) => [
              r.kind,
              r.reason,
              (r.candidates as { label?: string; score?: number }[])
                .slice(0, 3)
                .map((c) => `${c.label ?? '?'} (${c.score ?? 0})`)
                .join('\n'),
              r.id.slice(0, 8),
            ]),
          ),
        );
        ctx.out(`${rows.length} ${status.data} exception(s)`);
      });
    });

  program
    .command('sync-errors')
    .description('records a pull could not take in')
    .option('--firm <firm>', 'firm id or name (default: the only firm)')
    .option('--json', 'print JSON')
    .action(async (opts: { firm?: string; json?: boolean }) => {
      await ctx.withDb('cli', async ({ db }) => {
        const firm = await firmOption(db, opts.firm);
        const rows = await listSyncErrors(db, { firmId: firm.id, limit: 10_000 });
        if (opts.json)
          return ctx.out(
            JSON.stringify(
              rows.map(({ raw: _raw, ...r }) => r),
              null,
              2,
            ),
          );
        if (!rows.length) return ctx.out('no sync errors');
        ctx.out(
          renderTable(
            ['entity', 'record', 'field', 'message', 'at'],
            rows.map((r) => [r.entity, r.externalId, r.field, r.message, r.createdAt.toISOString()]),
          ),
        );
      });
    });
}
