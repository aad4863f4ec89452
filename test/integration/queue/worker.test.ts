import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../../src/config/env.js';
import type { Database } from '../../../src/db/client.js';
import { rowsOf } from '../../../src/db/migrate.js';
import type { AppDeps } from '../../../src/http/deps.js';
import { systemClock } from '../../../src/lib/clock.js';
import { AppError } from '../../../src/lib/errors.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import { startBackground } from '../../../src/worker/background.js';
import { JobHandlerRegistry, jobHandlers } from '../../../src/worker/handlers.js';
import { type RunningWorker, startWorker } from '../../../src/worker/worker.js';
import { createTestDatabase } from '../../support/db.js';

let database: Database;
let deps: AppDeps;
const running: RunningWorker[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface JobRowView {
  state: string;
  attempts: number;
  last_error: string | null;
  lease_token: string | null;
  visible_in: number;
}
async function jobRows(): Promise<JobRowView[]> {
  return rowsOf<JobRowView>(
    await database.db.execute(sql`
      select state, attempts, last_error, lease_token,
        round(extract(epoch from visible_at - now()))::int as visible_in
      from jobs order by created_at`),
  );
}
async function until(what: string, cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function worker(registry: JobHandlerRegistry, o: { visibilitySeconds?: number; graceMs?: number } = {}) {
  const w = startWorker({
    deps,
    queue: createPostgresQueue(database.db),
    registry,
    concurrency: 2,
    idleMs: 20,
    ...o,
  });
  running.push(w);
  return w;
}

beforeAll(async () => {
  database = await createTestDatabase();
  deps = { config: loadConfig({}), database, db: database.db, logger: silentLogger, clock: systemClock };
}, 180_000);
beforeEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
  await database.db.execute(sql`truncate jobs`);
});
afterAll(async () => {
  await Promise.all(running.map((w) => w.stop()));
  await database.close();
});

describe('worker', () => {
  it('retries a retryable failure after the provider’s retry-after and then acks', async () => {
    const attempts: number[] = [];
    const registry = new JobHandlerRegistry();
    registry.register('t.flaky', async (_p, { job }) => {
      attempts.push(job.attempt);
      if (job.attempt === 1) throw new AppError('provider_rate_limited', 'slow down', { retryAfterMs: 1000 });
    });
    const w = worker(registry);
    await createPostgresQueue(database.db).send({ type: 't.flaky', payload: {} });
    await until('the job to be acked', async () => attempts.length === 2 && (await jobRows()).length === 0);
    expect(attempts).toEqual([1, 2]);
    expect(w.stats).toMatchObject({ received: 2, succeeded: 1, failed: 1 });
  });

  it('dead-letters a job whose payload fails the handler’s schema, without retrying', async () => {
    const registry = new JobHandlerRegistry();
    let runs = 0;
    registry.register(
      't.typed',
      async () => {
        runs++;
      },
      { schema: z.object({ invoiceId: z.string() }) },
    );
    worker(registry);
    await createPostgresQueue(database.db).send({ type: 't.typed', payload: { invoiceId: 42 } });
    await until('the job to die', async () => (await jobRows())[0]?.state === 'dead');
    const [row] = await jobRows();
    expect(row).toMatchObject({ state: 'dead', attempts: 1, lease_token: null });
    expect(row?.last_error).toBe('bad payload for job type "t.typed"');
    expect(runs).toBe(0);
  });

  it('keeps a job of an unknown type for retry (a newer worker may know it) instead of dropping it', async () => {
    worker(new JobHandlerRegistry());
    await createPostgresQueue(database.db).send({ type: 't.unknown', payload: {} });
    await until('the job to be nacked', async () => (await jobRows())[0]?.last_error != null);
    const [row] = await jobRows();
    expect(row).toMatchObject({
      state: 'queued',
      attempts: 1,
      last_error: 'no handler registered for job type "t.unknown"',
    });
    expect(row?.visible_in).toBeGreaterThanOrEqual(4);
  });

  it('keeps secrets out of the stored error', async () => {
    const registry = new JobHandlerRegistry();
    registry.register('t.leaky', async () => {
      throw new Error('Stripe said no to sk_live_abcdefghijkl123456');
    });
    worker(registry);
    await createPostgresQueue(database.db).send({ type: 't.leaky', payload: {} });
    await until('the job to be nacked', async () => (await jobRows())[0]?.last_error != null);
    expect((await jobRows())[0]?.last_error).toBe('Stripe said no to [redacted]');
  });

  it('extends the lease of a job that runs longer than the visibility timeout, so no one else runs it', async () => {
    const runs: string[] = [];
    const make = (name: string) => {
      const r = new JobHandlerRegistry();
      r.register('t.long', async () => {
        runs.push(name);
        await sleep(3500);
      });
      return r;
    };
    worker(make('A'), { visibilitySeconds: 1 });
    await createPostgresQueue(database.db).send({ type: 't.long', payload: {} });
    await until('A to start', async () => runs.length === 1);
    worker(make('B'), { visibilitySeconds: 1 });
    await until('the job to be acked', async () => (await jobRows()).length === 0);
    expect(runs).toEqual(['A']);
  });

  it('on stop, gives back a job that outlives the grace period so another worker takes it at once', async () => {
    const registry = new JobHandlerRegistry();
    let started = false;
    registry.register('t.stuck', async (_p, { signal }) => {
      started = true;
      await new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const w = worker(registry, { graceMs: 100, visibilitySeconds: 60 });
    await createPostgresQueue(database.db).send({ type: 't.stuck', payload: {} });
    await until('the job to start', async () => started);
    await w.stop();
    const [row] = await jobRows();
    expect(row).toMatchObject({ state: 'queued', attempts: 1, lease_token: null, visible_in: 0 });
    expect(row?.last_error).toBe('released on shutdown: aborted');
    expect(w.stats.released).toBe(1);
  });
});

describe('background (serve)', () => {
  it('puts the queue in deps so routes can enqueue, and runs the registered handlers', async () => {
    const seen: unknown[] = [];
    jobHandlers.register('t.background', async (p) => {
      seen.push(p);
    });
    const bgDeps: AppDeps = { ...deps };
    const bg = await startBackground(bgDeps, { idleMs: 20, schedules: false });
    try {
      expect(bgDeps.queue?.kind).toBe('postgres');
      await bgDeps.queue?.send({ type: 't.background', payload: { from: 'route' } });
      await until('the handler to run', async () => seen.length === 1 && (await jobRows()).length === 0);
      expect(seen).toEqual([{ from: 'route' }]);
    } finally {
      await bg.stop();
      jobHandlers.unregister('t.background');
    }
  });
});
