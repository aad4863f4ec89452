import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../src/db/types.js';
import type { JobHandlerRegistry } from '../../../src/worker/handlers.js';

/** Tables the acceptance tests count: effects (one per job key, idempotent) and runs (every attempt). */
export async function createEffectTables(db: Db): Promise<void> {
  await db.execute(sql`create table queue_test_effects (job_key text primary key, worker text not null)`);
  await db.execute(
    sql`create table queue_test_runs (id serial primary key, job_key text not null, worker text not null, pid int not null, at timestamptz not null default clock_timestamp())`,
  );
}

const EffectJob = z.object({
  key: z.string(),
  /** Work this long on the first attempt only (a retry is quick). */
  firstAttemptMs: z.number().int().min(0).optional(),
});

/**
 * `test.effect`: records the run, optionally works a while, then applies its effect once. `alive` lets an
 * in-process worker play dead (a crashed process writes nothing more).
 */
export function registerEffectHandler(
  registry: JobHandlerRegistry,
  worker: string,
  alive: () => boolean = () => true,
): void {
  registry.register(
    'test.effect',
    async (p, { deps, signal, job }) => {
      await deps.db.execute(
        sql`insert into queue_test_runs (job_key, worker, pid) values (${p.key}, ${worker}, ${process.pid})`,
      );
      if (p.firstAttemptMs && job.attempt === 1) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, p.firstAttemptMs);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(new Error('aborted'));
          });
        });
      }
      if (!alive()) await new Promise<never>(() => {});
      await deps.db.execute(
        sql`insert into queue_test_effects (job_key, worker) values (${p.key}, ${worker}) on conflict (job_key) do nothing`,
      );
    },
    { schema: EffectJob },
  );
}
