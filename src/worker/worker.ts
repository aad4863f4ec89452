import type { AppDeps } from '../http/deps.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { redactText } from '../lib/redact.js';
import { MAX_BATCH, type Queue, type ReceivedJob } from '../queue/port.js';
import { backoffSeconds } from '../queue/validate.js';
import { type JobHandlerRegistry, jobHandlers } from './handlers.js';

/**
 * The queue consumer: up to `concurrency` jobs at a time. Each job's lease is extended while its handler
 * runs (so a long job is not redelivered), acked on success, nacked with backoff on failure, and
 * dead-lettered at once when the failure is permanent (a non-retryable AppError: bad payload …).
 * `stop()` stops receiving, lets the jobs in hand finish for `graceMs`, then aborts them and gives
 * back (nacks with no delay) whatever is still running, so another worker picks it up at once.
 */
export interface WorkerOptions {
  deps: AppDeps;
  queue: Queue;
  registry?: JobHandlerRegistry;
  concurrency: number;
  /** Lease length (default 60 s); extended every third of it while a job runs. */
  visibilitySeconds?: number;
  /** Sleep between empty receives (default 500 ms). */
  idleMs?: number;
  /** How long stop() waits for running jobs before releasing them (default 20 s). */
  graceMs?: number;
  logger?: Logger;
  /** A name for logs (host:pid). */
  name?: string;
}

export interface WorkerStats {
  received: number;
  succeeded: number;
  failed: number;
  released: number;
}

export interface RunningWorker {
  readonly stats: WorkerStats;
  /** Resolves when the loop has ended and every job in hand was finished or released. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export function startWorker(opts: WorkerOptions): RunningWorker {
  const { deps, queue } = opts;
  const registry = opts.registry ?? jobHandlers;
  const vis = opts.visibilitySeconds ?? 60;
  const idleMs = opts.idleMs ?? 500;
  const graceMs = opts.graceMs ?? 20_000;
  const logger = (opts.logger ?? deps.logger).child({ worker: opts.name ?? `pid:${process.pid}` });
  const stats: WorkerStats = { received: 0, succeeded: 0, failed: 0, released: 0 };
  const stopping = new AbortController();
  const inFlight = new Map<string, { job: ReceivedJob; abort: AbortController; done: Promise<void> }>();
  /** Jobs given back at shutdown while their handler still ran: never ack them afterwards. */
  const released = new Set<string>();
  let slotFreed: (() => void) | undefined;

  /**
   * Ordered queues (SQS FIFO) may hand over several jobs of one group in a batch: they run one after
   * the other, in the order received (their leases are renewed while they wait); when one fails, the
   * rest are given back untried, so the group resumes in order with the failed one's retry.
   */
  const groupTails = new Map<string, Promise<boolean>>();

  /** Resolves true when the job succeeded. */
  const runJob = async (
    job: ReceivedJob,
    abort: AbortController,
    after?: Promise<boolean>,
  ): Promise<boolean> => {
    const handler = registry.get(job.type);
    const jobVis = handler?.visibilitySeconds ?? vis;
    const log = logger.child({ jobId: job.id, type: job.type, attempt: job.attempt });
    const heartbeat = setInterval(
      () => {
        queue.extend(job, jobVis).catch((e: unknown) => {
          log.warn({ err: e }, 'could not extend the lease; the job may run twice');
        });
      },
      Math.max(500, (jobVis * 1000) / 3),
    );
    try {
      if (after && !(await after)) {
        clearInterval(heartbeat);
        await queue.nack(job, { delaySeconds: 0, error: 'an earlier job of its group failed' });
        stats.released++;
        return false;
      }
      if (!handler) throw new AppError('not_configured', `no handler registered for job type "${job.type}"`);
      if (jobVis !== vis) await queue.extend(job, jobVis);
      await handler.run(job.payload, { job, deps, queue, logger: log, signal: abort.signal });
      clearInterval(heartbeat);
      if (released.has(job.id)) return false;
      await queue.ack(job);
      stats.succeeded++;
      return true;
    } catch (e) {
      clearInterval(heartbeat);
      if (released.has(job.id)) return false;
      const message = redactText(e instanceof Error ? e.message : String(e));
      if (abort.signal.aborted) {
        // Shutting down: give the job back for another worker, not a failure.
        await queue.nack(job, { delaySeconds: 0, error: `released on shutdown: ${message}` });
        stats.released++;
        return false;
      }
      stats.failed++;
      const permanent = e instanceof AppError && !e.retryable && e.code !== 'not_configured';
      const delaySeconds =
        e instanceof AppError && e.retryAfterMs !== undefined
          ? Math.min(900, Math.ceil(e.retryAfterMs / 1000))
          : backoffSeconds(job.attempt);
      log.warn({ err: e, permanent, delaySeconds }, 'job failed');
      await queue.nack(job, { delaySeconds, error: message, deadLetter: permanent });
      return false;
    } finally {
      clearInterval(heartbeat);
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      // PGlite answers through microtasks only: without a macrotask turn here a busy worker would starve
      // timers, HTTP requests (serve) and any other worker in the process.
      await new Promise<void>((r) => setImmediate(r));
      const free = opts.concurrency - inFlight.size;
      if (free <= 0) {
        await new Promise<void>((r) => {
          slotFreed = r;
        });
        continue;
      }
      let batch: ReceivedJob[];
      try {
        batch = await queue.receive(Math.min(free, MAX_BATCH), vis);
      } catch (e) {
        if (stopping.signal.aborted) break;
        logger.error({ err: e }, 'receive failed; retrying');
        await sleep(Math.max(idleMs, 1000), stopping.signal);
        continue;
      }
      if (stopping.signal.aborted) {
        // Received while stopping: hand straight back.
        await Promise.all(batch.map((j) => queue.nack(j, { delaySeconds: 0, error: 'worker stopping' })));
        break;
      }
      for (const job of batch) {
        stats.received++;
        const abort = new AbortController();
        const group = queue.capabilities.orderedGroups ? job.groupId : undefined;
        const outcome = runJob(job, abort, group ? groupTails.get(group) : undefined).catch((e: unknown) => {
          logger.error({ err: e, jobId: job.id }, 'could not settle a job');
          return false;
        });
        const done = outcome
          .then(() => {})
          .finally(() => {
            inFlight.delete(job.id);
            slotFreed?.();
            slotFreed = undefined;
          });
        inFlight.set(job.id, { job, abort, done });
        if (group) {
          groupTails.set(group, outcome);
          void outcome.then(() => {
            if (groupTails.get(group) === outcome) groupTails.delete(group);
          });
        }
      }
      if (batch.length === 0) await sleep(idleMs, stopping.signal);
    }
  };

  const done = loop().then(async () => {
    const pending = [...inFlight.values()];
    if (pending.length === 0) return;
    logger.info({ jobs: pending.length }, 'waiting for jobs in hand');
    const finished = Promise.all(pending.map((p) => p.done));
    const timedOut = await Promise.race([
      finished.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
    ]);
    if (!timedOut) return;
    for (const p of inFlight.values()) p.abort.abort();
    const settled = await Promise.race([
      Promise.all([...inFlight.values()].map((p) => p.done)).then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
    ]);
    if (settled) return;
    // Handlers that ignore the signal: release their jobs; a late finish will not ack them.
    await Promise.all(
      [...inFlight.values()].map(async (p) => {
        released.add(p.job.id);
        stats.released++;
        await queue.nack(p.job, { delaySeconds: 0, error: 'released on shutdown' }).catch(() => {});
      }),
    );
  });

  return {
    stats,
    done,
    async stop() {
      stopping.abort();
      slotFreed?.();
      await done;
    },
  };
}
