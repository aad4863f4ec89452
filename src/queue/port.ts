/**
 * The job-queue port. Adapters: Postgres (`FOR UPDATE SKIP LOCKED`, the embedded default, on PGlite too)
 * and SQS (scale-out). Delivery is at least once: handlers are idempotent.
 */
export interface JobInput {
  /** Handler name, e.g. `webhook.process`, `sync.connection`. */
  type: string;
  payload: Record<string, unknown>;
  /**
   * Deduplication key: a second send with the same key while the first is still waiting (not yet
   * received) is dropped. SQS FIFO: the MessageDeduplicationId (a 5-minute window). SQS standard: none.
   */
  key?: string;
  /** Ordering group (e.g. the connection id): SQS FIFO MessageGroupId. */
  groupId?: string;
  /**
   * At most 900 s (SQS's cap), whole seconds. Longer waits, and any wait on a FIFO queue, go through
   * `sendAt` in src/queue/park.ts, which keeps them in the database.
   */
  delaySeconds?: number;
}

export interface ReceivedJob {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  /** 1 on first delivery. */
  attempt: number;
  /** Adapter-specific handle for ack/nack/extend. */
  receipt: string;
  groupId?: string;
}

export interface QueueCapabilities {
  /** Longest per-message delay the queue itself holds (0 on SQS FIFO). */
  maxDelaySeconds: number;
  /** `queued`: dropped while a job with the key waits; `window`: SQS FIFO's 5 minutes; `none`. */
  dedupe: 'queued' | 'window' | 'none';
  /** Jobs of one group are delivered in order, one at a time (SQS FIFO). */
  orderedGroups: boolean;
  /** Deliveries before a job is dead-lettered. */
  maxAttempts: number;
}

export interface NackOptions {
  /** Retry after this many seconds (default: exponential backoff by attempt). */
  delaySeconds?: number;
  error?: string;
  /** Dead-letter now: the failure is permanent (bad payload, unknown type). */
  deadLetter?: boolean;
}

export interface Queue {
  readonly kind: 'postgres' | 'sqs';
  readonly capabilities: QueueCapabilities;
  send(job: JobInput): Promise<void>;
  sendBatch(jobs: JobInput[]): Promise<void>;
  /** Lease up to `max` jobs for `visibilitySeconds`; unacked jobs reappear after it. */
  receive(max: number, visibilitySeconds: number): Promise<ReceivedJob[]>;
  ack(job: ReceivedJob): Promise<void>;
  /** Give the job back: retried after `delaySeconds` (backoff), dead-lettered after the attempt limit. */
  nack(job: ReceivedJob, opts?: NackOptions): Promise<void>;
  /** Keep a long job's lease. Throws `conflict` when the lease is already lost. */
  extend(job: ReceivedJob, visibilitySeconds: number): Promise<void>;
  close(): Promise<void>;
}

export const MAX_DELAY_SECONDS = 900;
/** SQS: ReceiveMessage returns at most 10 messages; SendMessageBatch takes at most 10 entries. */
export const MAX_BATCH = 10;
export const DEFAULT_MAX_ATTEMPTS = 5;
