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
export async function releaseParked(db: DbOrTx, outer: Queue, now: Date, limit = 100): Promise<number> {
  // Release into the queue itself, never back into a parking wrapper.
  const queue = parkingInner.get(outer) ?? outer;
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

/**
 * A queue whose `send`/`sendBatch` accept any delay up to 900 s on every adapter: on a queue that holds
 * less (SQS FIFO holds none) a delayed job is parked and released by the workers' scheduler tick, so its
 * delay is met to within a tick (5 s). `createQueue` wraps SQS FIFO queues in it.
 */
export function withParking(queue: Queue, db: DbOrTx, now: () => Date): Queue {
  const inner = queue.capabilities.maxDelaySeconds;
  if (inner >= 900) return queue;
  const split = async (list: JobInput[]) => {
    const direct: JobInput[] = [];
    const t = now();
    for (const job of list) {
      validateJob(job);
      const delay = job.delaySeconds ?? 0;
      if (delay <= inner) direct.push(job);
      else {
        const { delaySeconds: _d, ...rest } = job;
        await sendAt(db, queue, rest, new Date(t.getTime() + delay * 1000), t);
      }
    }
    if (direct.length > 0) await queue.sendBatch(direct);
  };
  const wrapped: Queue = {
    ...queue,
    capabilities: { ...queue.capabilities, maxDelaySeconds: 900 },
    send: (job) => split([job]),
    sendBatch: (list) => split(list),
  };
  parkingInner.set(wrapped, queue);
  return wrapped;
}

const parkingInner = new WeakMap<Queue, Queue>();
