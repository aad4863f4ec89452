import type { Command } from 'commander';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../db/client.js';
import { migrate, rowsOf } from '../../db/migrate.js';
import { systemClock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { createPostgresQueue } from '../../queue/postgres.js';
import { createSqsQueue } from '../../queue/sqs.js';
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

function postgresOnly(ctx: CliContext): void {
  if (ctx.config.QUEUE === 'sqs') {
    throw new AppError(
      'not_configured',
      "with QUEUE=sqs the dead letters are in the redrive policy's dead-letter queue: inspect and redrive them with SQS (console, or StartMessageMoveTask)",
    );
  }
}

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

  const queue = program
    .command('queue')
    .description('the job queue: counts; on Postgres also dead letters and redrive');
  queue
    .command('stats')
    .description('jobs by state, and jobs parked in the database for later')
    .action(async () => {
      await ctx.withDb('cli', async ({ db }) => {
        const parked = Number(
          rowsOf<{ n: number | string }>(await db.execute(sql`select count(*) as n from parked_jobs`))[0]
            ?.n ?? 0,
        );
        if (ctx.config.QUEUE === 'sqs') {
          const sqs = await createSqsQueue({
            queueUrl: ctx.config.SQS_QUEUE_URL ?? '',
            region: ctx.config.AWS_REGION,
            ...(ctx.config.SQS_ENDPOINT ? { endpoint: ctx.config.SQS_ENDPOINT } : {}),
          });
          try {
            const s = await sqs.stats();
            ctx.out(
              renderTable(
                ['queue', 'queued', 'in flight', 'delayed', 'dead-letter queue', 'parked'],
                [['sqs', s.queued, s.leased, s.delayed, s.dead, parked]],
              ),
            );
          } finally {
            await sqs.close();
          }
          return;
        }
        const s = await createPostgresQueue(db).stats();
        ctx.out(
          renderTable(
            ['queue', 'queued', 'leased', 'dead', 'parked'],
            [['postgres', s.queued, s.leased, s.dead, parked]],
          ),
        );
      });
    });
  queue
    .command('dead')
    .description('dead-lettered jobs, newest first')
    .option('--limit <n>', 'rows', int('--limit', 1, 1000), 50)
    .action(async (opts: { limit: number }) => {
      postgresOnly(ctx);
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
      postgresOnly(ctx);
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
