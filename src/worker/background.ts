import type { AppDeps } from '../http/deps.js';
import { createQueue } from '../queue/index.js';
import './jobs.js';
import { startScheduler } from './schedules.js';
import { startWorker } from './worker.js';

export interface BackgroundOptions {
  concurrency?: number;
  visibilitySeconds?: number;
  /** Run the recurring schedules and parked-job releases in this process (default true). */
  schedules?: boolean;
  schedulerTickMs?: number;
  graceMs?: number;
  idleMs?: number;
}

/**
 * The queue worker and the scheduler, beside the HTTP server in `serve` or alone in `worker`. Creates
 * the configured queue when `deps.queue` is unset and puts it there, so HTTP routes built from the
 * same deps can enqueue. `stop()` finishes or releases the jobs in hand, then closes the queue.
 */
export async function startBackground(
  deps: AppDeps,
  opts: BackgroundOptions = {},
): Promise<{ stop(): Promise<void>; queueKind: string }> {
  const ownQueue = !deps.queue;
  const queue = deps.queue ?? (await createQueue(deps.config, deps.db, deps.clock));
  deps.queue = queue;
  const worker = startWorker({
    deps,
    queue,
    concurrency: opts.concurrency ?? deps.config.WORKER_CONCURRENCY,
    ...(opts.visibilitySeconds ? { visibilitySeconds: opts.visibilitySeconds } : {}),
    ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
    ...(opts.idleMs !== undefined ? { idleMs: opts.idleMs } : {}),
  });
  const scheduler =
    opts.schedules === false
      ? undefined
      : startScheduler({
          db: deps.db,
          queue,
          clock: deps.clock,
          logger: deps.logger,
          ...(opts.schedulerTickMs ? { tickMs: opts.schedulerTickMs } : {}),
        });
  return {
    queueKind: queue.kind,
    async stop() {
      await scheduler?.stop();
      await worker.stop();
      deps.logger.info({ ...worker.stats }, 'worker stopped');
      if (ownQueue) await queue.close();
    },
  };
}
