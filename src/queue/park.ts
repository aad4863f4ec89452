import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/migrate.js';
import type { DbOrTx } from '../db/types.js';
import type { JobInput, Queue } from './port.js';
import { validateJob } from './validate.js';

/**
 * Waits longer than the queue holds — over 900 s on any queue, any wait at all on SQS FIFO (no
 * per-message delay) — are kept in `parked_jobs` and re-enqueued by the scheduler (`releaseParked`,
 * run by every worker's tick) once they fall within the queue's own delay. Times are the app clock's.
 */
export async function sendAt(
  db: DbOrTx,
  queue: Queue,
  job: Omit<JobInput, 'delaySeconds'>,
  runAt: Date,
  now: Date,
): Promise<'queued' | 'parked'> {
  validateJob(job);
  const wait = Math.ceil((runAt.getTime() - now.getTime()) / 1000);
  if (wait <= 0) {
    await queue.send(job);
    return 'queued';
  }
  if (wait <= queue.capabilities.maxDelaySeconds) {
    await queue.send({ ...job, delaySeconds: wait });
    return 'queued';
  }
  await db.execute(
    sql`insert into parked_jobs (job, run_at) values (${JSON.stringify(job)}::jsonb, ${runAt.toISOString()}::timestamptz)`,
  );
  return 'parked';
}

interface ParkedRow {
  id: string;
  job: unknown;
  run_at: string | Date;
}

/**
 * Moves parked jobs that are due (or due within the queue's own delay) into the queue. Claims rows with
 * a one-minute lease in one statement, sends them (outside any transaction), then deletes them; a crash
 * between the send and the delete re-sends after the lease (at least once, like the queue).
 */
export async function releaseParked(db: DbOrTx, queue: Queue, now: Date, limit = 100): Promise<number> {
  const horizon = new Date(now.getTime() + queue.capabilities.maxDelaySeconds * 1000);
  const claimedUntil = new Date(now.getTime() + 60_000);
  const rows = rowsOf<ParkedRow>(
    await db.execute(sql`
      update parked_jobs set claimed_until = ${claimedUntil.toISOString()}::timestamptz
      where id in (
        select id from parked_jobs
        where run_at <= ${horizon.toISOString()}::timestamptz
          and (claimed_until is null or claimed_until < ${now.toISOString()}::timestamptz)
        order by run_at limit ${limit}
        for update skip locked)
      returning id, job, run_at`),
  );
  if (rows.length === 0) return 0;
  const jobs = rows.map((r) => {
    const job = (typeof r.job === 'string' ? JSON.parse(r.job) : r.job) as JobInput;
    const wait = Math.ceil((new Date(r.run_at).getTime() - now.getTime()) / 1000);
    const delaySeconds = Math.max(0, Math.min(queue.capabilities.maxDelaySeconds, wait));
    return delaySeconds > 0 ? { ...job, delaySeconds } : job;
  });
  await queue.sendBatch(jobs);
  await db.execute(
    sql`delete from parked_jobs where id in (${sql.join(
      rows.map((r) => sql`${r.id}`),
      sql`, `,
    )})`,
  );
  return rows.length;
}
