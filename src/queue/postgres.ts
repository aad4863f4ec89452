import { type SQL, sql } from 'drizzle-orm';
import { rowsOf } from '../db/migrate.js';
import type { DbOrTx } from '../db/types.js';
import { AppError } from '../lib/errors.js';
import {
  DEFAULT_MAX_ATTEMPTS,
  type JobInput,
  type NackOptions,
  type Queue,
  type QueueCapabilities,
  type ReceivedJob,
} from './port.js';
import { backoffSeconds, validateJob, validateLease } from './validate.js';

/**
 * The Postgres queue (the embedded default; PGlite too). Every operation is ONE statement — no
 * transaction is held open and nothing else is awaited inside one, which matters on PGlite (a single
 * connection whose transactions are serialised). Leases: `receive` picks visible rows with
 * `FOR UPDATE SKIP LOCKED`, stamps a fresh lease token and pushes `visible_at` to the lease's end; a
 * worker that dies simply lets the lease run out. Time is the database's `now()`, so several machines
 * agree on it. Built on a transaction (`createPostgresQueue(tx).send(…)`), a send commits or rolls back
 * with the caller's writes.
 */
export interface PostgresQueueOptions {
  /** Deliveries before a job is dead-lettered (default 5). */
  maxAttempts?: number;
  /** Backoff when `nack` names no delay. */
  backoff?: (attempt: number) => number;
}

const PG_MAX_RECEIVE = 100;

interface LeasedRow {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
  lease_token: string;
  group_id: string | null;
}

export function createPostgresQueue(db: DbOrTx, opts: PostgresQueueOptions = {}): Queue & PostgresQueueAdmin {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = opts.backoff ?? ((attempt: number) => backoffSeconds(attempt));
  const capabilities: QueueCapabilities = {
    maxDelaySeconds: 900,
    dedupe: 'queued',
    orderedGroups: false,
    maxAttempts,
  };

  const insert = async (list: JobInput[]): Promise<void> => {
    if (list.length === 0) return;
    for (const j of list) validateJob(j);
    const values = list.map(
      (j) =>
        sql`(${j.type}, ${JSON.stringify(j.payload)}::jsonb, ${j.key ?? null}, ${j.groupId ?? null}, ${maxAttempts}, now() + make_interval(secs => ${j.delaySeconds ?? 0}))`,
    );
    await db.execute(sql`
      insert into jobs (type, payload, dedupe_key, group_id, max_attempts, visible_at)
      values ${sql.join(values, sql`, `)}
      on conflict (dedupe_key) where state = 'queued' and dedupe_key is not null do nothing`);
  };

  const owned = (job: ReceivedJob): SQL => sql`id = ${job.id} and lease_token = ${job.receipt}`;

  return {
    kind: 'postgres',
    capabilities,
    send: (job) => insert([job]),
    sendBatch: (list) => insert(list),

    async receive(max, visibilitySeconds) {
      validateLease(max, visibilitySeconds, PG_MAX_RECEIVE);
      // Picked rows whose deliveries are used up (their last lease ran out) are dead-lettered instead.
      const rows = rowsOf<LeasedRow>(
        await db.execute(sql`
          with picked as (
            select id, attempts, max_attempts from jobs
            where state in ('queued', 'leased') and visible_at <= now()
            order by visible_at, created_at
            limit ${max}
            for update skip locked
          ), expired as (
            update jobs j set state = 'dead', dead_at = now(), lease_token = null, updated_at = now(),
              last_error = 'lease expired on the last attempt'
            from picked p where j.id = p.id and p.attempts >= p.max_attempts
            returning j.id
          )
          update jobs j set state = 'leased', attempts = j.attempts + 1, lease_token = gen_random_uuid(),
            leased_at = now(), visible_at = now() + make_interval(secs => ${visibilitySeconds}),
            updated_at = now()
          from picked p where j.id = p.id and p.attempts < p.max_attempts
          returning j.id, j.type, j.payload, j.attempts, j.lease_token, j.group_id`),
      );
      return rows.map((r) => ({
        id: r.id,
        type: r.type,
        payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<
          string,
          unknown
        >,
        attempt: r.attempts,
        receipt: r.lease_token,
        ...(r.group_id ? { groupId: r.group_id } : {}),
      }));
    },

    async ack(job) {
      await db.execute(sql`delete from jobs where ${owned(job)}`);
    },

    async nack(job, o: NackOptions = {}) {
      const delay = Math.max(0, Math.min(900, Math.round(o.delaySeconds ?? backoff(job.attempt))));
      const dead = o.deadLetter === true ? sql`true` : sql`attempts >= max_attempts`;
      try {
        await db.execute(sql`
          update jobs set
            state = case when ${dead} then 'dead' else 'queued' end,
            dead_at = case when ${dead} then now() else null end,
            visible_at = now() + make_interval(secs => ${delay}),
            lease_token = null, last_error = ${o.error?.slice(0, 2000) ?? null}, updated_at = now()
          where ${owned(job)}`);
      } catch (e) {
        // A job with the same dedupe key was queued meanwhile: that one will do the work.
        if (!isUniqueViolation(e)) throw e;
        await db.execute(sql`delete from jobs where ${owned(job)}`);
      }
    },

    async extend(job, visibilitySeconds) {
      validateLease(1, visibilitySeconds, 1);
      const rows = rowsOf<{ id: string }>(
        await db.execute(sql`
          update jobs set visible_at = now() + make_interval(secs => ${visibilitySeconds}), updated_at = now()
          where ${owned(job)} and state = 'leased' returning id`),
      );
      if (rows.length === 0) throw new AppError('conflict', `lease on job ${job.id} was lost`);
    },

    async close() {},

    async deadLetters(limit = 100) {
      return rowsOf<DeadJob>(
        await db.execute(sql`
          select id, type, payload, attempts, last_error as "lastError", dead_at as "deadAt"
          from jobs where state = 'dead' order by dead_at desc limit ${limit}`),
      ).map((r) => ({
        ...r,
        payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<
          string,
          unknown
        >,
        deadAt: new Date(r.deadAt),
      }));
    },

    async redrive(ids) {
      const rows = rowsOf<{ id: string }>(
        await db.execute(sql`
          update jobs set state = 'queued', attempts = 0, dead_at = null, dedupe_key = null, visible_at = now(),
            updated_at = now()
          where state = 'dead' ${
            ids
              ? sql`and id in (${sql.join(
                  ids.map((i) => sql`${i}`),
                  sql`, `,
                )})`
              : sql``
          }
          returning id`),
      );
      return rows.length;
    },

    async stats() {
      const rows = rowsOf<{ state: string; n: number | string }>(
        await db.execute(sql`select state, count(*) as n from jobs group by state`),
      );
      const out = { queued: 0, leased: 0, dead: 0 };
      for (const r of rows) {
        if (r.state === 'queued' || r.state === 'leased' || r.state === 'dead') out[r.state] = Number(r.n);
      }
      return out;
    },
  };
}

export interface DeadJob {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  attempts: number;
  lastError: string | null;
  deadAt: Date;
}

/** Operator views of the Postgres queue (not part of the port). */
export interface PostgresQueueAdmin {
  deadLetters(limit?: number): Promise<DeadJob[]>;
  /** Put dead jobs back (all, or the given ids) with fresh attempts. */
  redrive(ids?: string[]): Promise<number>;
  stats(): Promise<{ queued: number; leased: number; dead: number }>;
}

function isUniqueViolation(e: unknown): boolean {
  for (let cur: unknown = e, i = 0; cur && i < 4; i++) {
    if ((cur as { code?: unknown }).code === '23505') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}
