import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, tstz, updatedAt } from './columns.js';

/**
 * The Postgres job queue (src/queue/postgres.ts). A row is `queued` (visible from `visible_at`),
 * `leased` (a worker holds it until `visible_at`, proven by `lease_token`) or `dead` (dead-lettered
 * after `max_attempts` deliveries). An acked job is deleted.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: id(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    /** While a job with this key is queued (not yet received), another send with it is dropped. */
    dedupeKey: text('dedupe_key'),
    groupId: text('group_id'),
    state: text('state').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    visibleAt: tstz('visible_at').notNull().defaultNow(),
    leaseToken: uuid('lease_token'),
    leasedAt: tstz('leased_at'),
    lastError: text('last_error'),
    deadAt: tstz('dead_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('jobs_visible_idx').on(t.visibleAt).where(sql`state in ('queued', 'leased')`),
    uniqueIndex('jobs_dedupe_queued_uq')
      .on(t.dedupeKey)
      .where(sql`state = 'queued' and dedupe_key is not null`),
    index('jobs_dead_idx').on(t.deadAt).where(sql`state = 'dead'`),
  ],
);

/**
 * Jobs waiting longer than the queue can hold (SQS: 900 s; FIFO: no per-message delay at all). The
 * scheduler re-enqueues them when they fall due; `claimed_until` is its short lease on a row.
 */
export const parkedJobs = pgTable(
  'parked_jobs',
  {
    id: id(),
    job: jsonb('job').notNull(),
    runAt: tstz('run_at').notNull(),
    claimedUntil: tstz('claimed_until'),
    createdAt: createdAt(),
  },
  (t) => [index('parked_jobs_run_at_idx').on(t.runAt)],
);

/** Recurring schedules: whichever worker moves `next_run_at` forward first enqueues the run. */
export const queueSchedules = pgTable('queue_schedules', {
  name: text('name').primaryKey(),
  everySeconds: integer('every_seconds').notNull(),
  nextRunAt: tstz('next_run_at').notNull(),
  lastRunAt: tstz('last_run_at'),
  updatedAt: updatedAt(),
});

export type JobRow = typeof jobs.$inferSelect;
