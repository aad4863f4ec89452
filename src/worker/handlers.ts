import type { z } from 'zod';
import type { AppDeps } from '../http/deps.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Queue, ReceivedJob } from '../queue/port.js';

/**
 * The job-handler registry. Each area registers its handlers at import time, e.g. in its own
 * `jobs.ts`:
 *
 *   registerJobHandler('webhook.process', async (payload, ctx) => { … }, { schema: WebhookJob });
 *
 * and adds one import line to src/worker/jobs.ts so every worker process loads it. Delivery is at least
 * once: a handler must be idempotent (its effect keyed on something in the payload).
 *
 * Outcomes: returning acks the job. Throwing a plain Error or a retryable AppError retries it with
 * backoff (an AppError's `retryAfterMs`, e.g. a provider's Retry-After, wins); throwing a non-retryable
 * AppError (`validation_failed`, `provider_auth_expired` …) dead-letters it at once. Waits longer than
 * 15 minutes: `sendAt` (src/queue/park.ts) a follow-up job and return.
 */
export interface JobContext {
  job: Pick<ReceivedJob, 'id' | 'type' | 'attempt'>;
  deps: AppDeps;
  /** The queue the job came from, for follow-up jobs. */
  queue: Queue;
  logger: Logger;
  /** Aborted when the worker shuts down and the grace period ends: stop and throw. */
  signal: AbortSignal;
}

export type JobHandler<P> = (payload: P, ctx: JobContext) => Promise<void>;

export interface JobHandlerOptions<P> {
  /** Parses the payload first; a payload that fails it is dead-lettered at once (never retried). */
  schema?: z.ZodType<P>;
  /** Lease length for this type (default: the worker's); long jobs are extended while they run. */
  visibilitySeconds?: number;
}

export interface RegisteredHandler {
  type: string;
  run: (payload: Record<string, unknown>, ctx: JobContext) => Promise<void>;
  visibilitySeconds?: number;
}

export class JobHandlerRegistry {
  private readonly handlers = new Map<string, RegisteredHandler>();

  register<P = Record<string, unknown>>(
    type: string,
    handler: JobHandler<P>,
    opts: JobHandlerOptions<P> = {},
  ): void {
    if (this.handlers.has(type)) throw new Error(`a job handler for "${type}" is already registered`);
    const schema = opts.schema;
    this.handlers.set(type, {
      type,
      ...(opts.visibilitySeconds ? { visibilitySeconds: opts.visibilitySeconds } : {}),
      run: async (payload, ctx) => {
        if (!schema) return handler(payload as P, ctx);
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          throw new AppError('validation_failed', `bad payload for job type "${type}"`, {
            fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          });
        }
        return handler(parsed.data, ctx);
      },
    });
  }

  get(type: string): RegisteredHandler | undefined {
    return this.handlers.get(type);
  }

  types(): string[] {
    return [...this.handlers.keys()].sort();
  }

  /** Tests only. */
  unregister(type: string): void {
    this.handlers.delete(type);
  }
}

/** The process-wide registry the workers use. */
export const jobHandlers = new JobHandlerRegistry();

export function registerJobHandler<P = Record<string, unknown>>(
  type: string,
  handler: JobHandler<P>,
  opts: JobHandlerOptions<P> = {},
): void {
  jobHandlers.register(type, handler, opts);
}
