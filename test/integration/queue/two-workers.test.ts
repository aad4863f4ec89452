import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';
import type { Database } from '../../../src/db/client.js';
import { rowsOf } from '../../../src/db/migrate.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { Queue } from '../../../src/queue/port.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import { JobHandlerRegistry } from '../../../src/worker/handlers.js';
import { startWorker } from '../../../src/worker/worker.js';
import { createTestDatabase, usingPostgres } from '../../support/db.js';
import { createEffectTables, registerEffectHandler } from './effect-handler.js';

/**
 * Acceptance: two workers draining one Postgres queue. On a Postgres server (TEST_DATABASE_URL) they are
 * two real child processes and the crash is a SIGKILL; on PGlite (one process only) they are two
 * in-process workers and the crash is a worker that stops answering (no heartbeat, no ack, no effect).
 */
interface WorkerProc {
  name: string;
  ready: Promise<void>;
  /** Die at once: no ack, no release, no heartbeat. */
  kill(): void;
  /** Graceful stop; resolves with the exit code (0 in-process). */
  term(): Promise<number | null>;
}

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let database: Database;
const procs: WorkerProc[] = [];

function startProc(name: string, visibilitySeconds: number): WorkerProc {
  if (usingPostgres()) {
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CHILD,
        JSON.stringify({
          url: database.url,
          schema: database.schema,
          name,
          concurrency: 4,
          visibilitySeconds,
        }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker ${name} exited early (${code})`)));
    });
    const proc: WorkerProc = {
      name,
      ready,
      kill: () => child.kill('SIGKILL'),
      term: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return exited;
      },
    };
    procs.push(proc);
    return proc;
  }
  let alive = true;
  const real = createPostgresQueue(database.db);
  const severed: Queue = {
    ...real,
    receive: (max, vis) => (alive ? real.receive(max, vis) : Promise.resolve([])),
    ack: (j) => (alive ? real.ack(j) : new Promise<void>(() => {})),
    nack: (j, o) => (alive ? real.nack(j, o) : new Promise<void>(() => {})),
    extend: (j, v) => (alive ? real.extend(j, v) : Promise.resolve()),
  };
  const registry = new JobHandlerRegistry();
  registerEffectHandler(registry, name, () => alive);
  const worker = startWorker({
    deps: { config: loadConfig({}), database, db: database.db, logger: silentLogger, clock: systemClock },
    queue: severed,
    registry,
    concurrency: 4,
    visibilitySeconds,
    idleMs: 50,
  });
  const proc: WorkerProc = {
    name,
    ready: Promise.resolve(),
    kill: () => {
      alive = false;
    },
    term: async () => {
      if (alive) await worker.stop();
      return 0;
    },
  };
  procs.push(proc);
  return proc;
}

async function count(q: ReturnType<typeof sql>): Promise<number> {
  return Number(rowsOf<{ n: number | string }>(await database.db.execute(q))[0]?.n ?? 0);
}

async function until(what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  await createEffectTables(database.db);
}, 180_000);
beforeEach(async () => {
  await database.db.execute(sql`truncate jobs, queue_test_effects, queue_test_runs`);
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.term().catch(() => null)));
  await database.close();
});

describe(
  usingPostgres() ? 'two worker processes on a Postgres server' : 'two workers on PGlite (in-process)',
  () => {
    it('drains 1,000 jobs with each applied exactly once, shared between both workers', async () => {
      const a = startProc('A', 30);
      const b = startProc('B', 30);
      await Promise.all([a.ready, b.ready]);
      const queue = createPostgresQueue(database.db);
      await queue.sendBatch(
        Array.from({ length: 1000 }, (_, i) => ({ type: 'test.effect', payload: { key: `k${i}` } })),
      );

      await until(
        'the queue to drain',
        async () => (await count(sql`select count(*) as n from jobs`)) === 0,
        90_000,
      );

      expect(await count(sql`select count(*) as n from queue_test_effects`)).toBe(1000);
      expect(await count(sql`select count(distinct job_key) as n from queue_test_effects`)).toBe(1000);
      // No job was delivered twice while its lease held.
      expect(await count(sql`select count(*) as n from queue_test_runs`)).toBe(1000);
      const perWorker = rowsOf<{ worker: string; n: number | string }>(
        await database.db.execute(
          sql`select worker, count(*) as n from queue_test_effects group by worker order by worker`,
        ),
      ).map((r) => [r.worker, Number(r.n)]);
      expect(perWorker.map(([w]) => w)).toEqual(['A', 'B']);
      for (const [, n] of perWorker) expect(n).toBeGreaterThan(10);
      const pids = rowsOf<{ pid: number }>(
        await database.db.execute(sql`select distinct pid from queue_test_runs`),
      );
      expect(pids).toHaveLength(usingPostgres() ? 2 : 1);
      if (usingPostgres()) expect(pids.map((r) => r.pid)).not.toContain(process.pid);
      expect(await Promise.all([a.term(), b.term()])).toEqual([0, 0]);
    }, 120_000);

    it('retries the job of a worker killed mid-job on the other worker after the lease, with one effect', async () => {
      const a = startProc('A', 3);
      await a.ready;
      const queue = createPostgresQueue(database.db);
      await queue.send({ type: 'test.effect', payload: { key: 'crash-1', firstAttemptMs: 60_000 } });
      await until(
        'A to start the job',
        async () => (await count(sql`select count(*) as n from queue_test_runs where worker = 'A'`)) === 1,
        30_000,
      );
      const b = startProc('B', 3);
      await b.ready;
      await sleep(500);
      a.kill();
      const killedAt = Date.now();

      await until(
        'B to finish the job',
        async () => (await count(sql`select count(*) as n from queue_test_effects`)) === 1,
        30_000,
      );
      const retriedAfterMs = Date.now() - killedAt;

      expect(
        rowsOf<{ job_key: string; worker: string }>(
          await database.db.execute(sql`select job_key, worker from queue_test_effects`),
        ),
      ).toEqual([{ job_key: 'crash-1', worker: 'B' }]);
      expect(
        rowsOf<{ worker: string }>(
          await database.db.execute(sql`select worker from queue_test_runs order by id`),
        ).map((r) => r.worker),
      ).toEqual(['A', 'B']);
      // B could not take it while A's lease (3 s, renewed every second) was held.
      expect(retriedAfterMs).toBeGreaterThan(1000);
      await until(
        'the job to be acked',
        async () => (await count(sql`select count(*) as n from jobs`)) === 0,
        5000,
      );
      await sleep(4000);
      expect(await count(sql`select count(*) as n from queue_test_effects`)).toBe(1);
      expect(await b.term()).toBe(0);
    }, 90_000);

    it('finishes the job in hand on a graceful stop (SIGTERM) before exiting', async () => {
      const a = startProc('A', 30);
      await a.ready;
      await createPostgresQueue(database.db).send({
        type: 'test.effect',
        payload: { key: 'term-1', firstAttemptMs: 2000 },
      });
      await until(
        'A to start the job',
        async () => (await count(sql`select count(*) as n from queue_test_runs`)) === 1,
        30_000,
      );
      expect(await a.term()).toBe(0);
      expect(rowsOf(await database.db.execute(sql`select job_key, worker from queue_test_effects`))).toEqual([
        { job_key: 'term-1', worker: 'A' },
      ]);
      expect(await count(sql`select count(*) as n from jobs`)).toBe(0);
    }, 60_000);
  },
);
