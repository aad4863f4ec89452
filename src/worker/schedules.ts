import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/migrate.js';
import type { Db } from '../db/types.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { releaseParked } from '../queue/park.js';
import type { JobInput, Queue } from '../queue/port.js';
import { validateJob } from '../queue/validate.js';

/**
 * Recurring jobs. Areas call `registerSchedule('grants.refresh-idle', 6 * 3600, { type: …, payload })`
 * at import (see src/worker/jobs.ts). Every worker ticks; a run is claimed in `queue_schedules` by moving
 * `next_run_at` forward in one statement, so with N workers each run is enqueued once.
 */
export interface Schedule {
  name: string;
  everySeconds: number;
  job: Omit<JobInput, 'delaySeconds'>;
}

export class ScheduleRegistry {
  private readonly items = new Map<string, Schedule>();

  register(name: string, everySeconds: number, job: Omit<JobInput, 'delaySeconds'>): void {
    if (!/^[a-z][a-z0-9_.:-]{0,99}$/i.test(name)) throw new Error(`bad schedule name "${name}"`);
    if (!Number.isInteger(everySeconds) || everySeconds < 1) {
      throw new Error(`schedule "${name}": everySeconds must be a whole number ≥ 1`);
    }
    if (this.items.has(name)) throw new Error(`schedule "${name}" is already registered`);
    validateJob(job);
    this.items.set(name, { name, everySeconds, job });
  }

  list(): Schedule[] {
    return [...this.items.values()];
  }
}

export const schedules = new ScheduleRegistry();

export function registerSchedule(
  name: string,
  everySeconds: number,
  job: Omit<JobInput, 'delaySeconds'>,
): void {
  schedules.register(name, everySeconds, job);
}

/** Enqueues every schedule that is due at `now`; returns the names enqueued. */
export async function runDueSchedules(
  db: Db,
  queue: Queue,
  registry: ScheduleRegistry,
  now: Date,
): Promise<string[]> {
  const list = registry.list();
  if (list.length === 0) return [];
  const at = now.toISOString();
  await db.execute(sql`
    insert into queue_schedules (name, every_seconds, next_run_at)
    values ${sql.join(
      list.map((s) => sql`(${s.name}, ${s.everySeconds}, ${at}::timestamptz)`),
      sql`, `,
    )}
    on conflict (name) do update set every_seconds = excluded.every_seconds
      where queue_schedules.every_seconds <> excluded.every_seconds`);
  const claimed = rowsOf<{ name: string }>(
    await db.execute(sql`
      update queue_schedules
      set last_run_at = ${at}::timestamptz, updated_at = now(),
        next_run_at = ${at}::timestamptz + make_interval(secs => every_seconds)
      where name in (${sql.join(
        list.map((s) => sql`${s.name}`),
        sql`, `,
      )}) and next_run_at <= ${at}::timestamptz
      returning name`),
  ).map((r) => r.name);
  const due = list.filter((s) => claimed.includes(s.name));
  if (due.length > 0) {
    const slot = Math.floor(now.getTime() / 1000);
    await queue.sendBatch(due.map((s) => ({ ...s.job, key: s.job.key ?? `schedule:${s.name}:${slot}` })));
  }
  return due.map((s) => s.name);
}

/** The worker's tick: due schedules, then due parked jobs. */
export function startScheduler(opts: {
  db: Db;
  queue: Queue;
  clock: Clock;
  logger: Logger;
  registry?: ScheduleRegistry;
  tickMs?: number;
}): { stop(): Promise<void>; tick(): Promise<void> } {
  const registry = opts.registry ?? schedules;
  let running: Promise<void> | undefined;
  const tick = async () => {
    try {
      const now = opts.clock.now();
      const names = await runDueSchedules(opts.db, opts.queue, registry, now);
      if (names.length > 0) opts.logger.debug({ schedules: names }, 'schedules enqueued');
      while ((await releaseParked(opts.db, opts.queue, opts.clock.now())) > 0) {}
    } catch (e) {
      opts.logger.error({ err: e }, 'scheduler tick failed');
    }
  };
  const timer = setInterval(() => {
    running ??= tick().finally(() => {
      running = undefined;
    });
  }, opts.tickMs ?? 5000);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
