import type { Command } from 'commander';
import { openDatabase } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import { systemClock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { createPostgresQueue } from '../../queue/postgres.js';
import { startBackground } from '../../worker/background.js';
import { jobHandlers } from '../../worker/handlers.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../table.js';
import { untilSignal } from './serve.js';

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AppError('validation_failed', `${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
};

export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('consume the job queue (QUEUE=postgres|sqs); on Postgres run as many as you like')
    .option('--concurrency <n>', 'jobs at a time (default WORKER_CONCURRENCY)', int('--concurrency', 1, 64))
    .option(
      '--visibility <seconds>',
      'lease per job, extended while it runs (default 60)',
      int('--visibility', 5, 43_200),
    )
    .option('--no-schedules', 'do not run recurring schedules and parked-job releases here')
    .action(async (opts: { concurrency?: number; visibility?: number; schedules: boolean }) => {
      const { config, logger } = ctx;
      const database = await openDatabase({
        databaseUrl: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        purpose: 'worker',
      });
      await migrate(database.db);
      const deps = { config, database, db: database.db, logger, clock: systemClock, services: {} };
      const background = await startBackground(deps, {
        schedules: opts.schedules,
        ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
        ...(opts.visibility ? { visibilitySeconds: opts.visibility } : {}),
      });
      const types = jobHandlers.types();
      ctx.out(
        `ledgerbridge worker: ${background.queueKind} queue, concurrency ${opts.concurrency ?? config.WORKER_CONCURRENCY}, ` +
          `${types.length} job types${types.length ? ` (${types.join(', ')})` : ''}; Ctrl-C stops it`,
      );
      await untilSignal(async () => {
        ctx.out('stopping: finishing or releasing the jobs in hand…');
        await background.stop();
        await database.close();
      });
    });

  const queue = program.command('queue').description('the Postgres job queue: counts, dead letters, redrive');
  queue
    .command('stats')
    .description('jobs by state')
    .action(async () => {
      await ctx.withDb('cli', async ({ db }) => {
        const s = await createPostgresQueue(db).stats();
        ctx.out(renderTable(['queued', 'leased', 'dead'], [[s.queued, s.leased, s.dead]]));
      });
    });
  queue
    .command('dead')
    .description('dead-lettered jobs, newest first')
    .option('--limit <n>', 'rows', int('--limit', 1, 1000), 50)
    .action(async (opts: { limit: number }) => {
      await ctx.withDb('cli', async ({ db }) => {
        const list = await createPostgresQueue(db).deadLetters(opts.limit);
        ctx.out(
          renderTable(
            ['id', 'type', 'attempts', 'dead at', 'last error'],
            list.map((j) => [j.id, j.type, j.attempts, j.deadAt.toISOString(), j.lastError?.slice(0, 120)]),
          ),
        );
      });
    });
  queue
    .command('redrive [ids...]')
    .description('put dead-lettered jobs back on the queue (all, or the ids given)')
    .action(async (ids: string[]) => {
      const bad = ids.filter(
        (i) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(i),
      );
      if (bad.length > 0) throw new AppError('validation_failed', `not job ids: ${bad.join(', ')}`);
      await ctx.withDb('cli', async ({ db }) => {
        const n = await createPostgresQueue(db).redrive(ids.length > 0 ? ids : undefined);
        ctx.out(`${n} job${n === 1 ? '' : 's'} back on the queue`);
      });
    });
}
