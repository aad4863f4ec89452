/**
 * The job-queue port. Adapters: Postgres (`FOR UPDATE SKIP LOCKED`, the embedded default, on PGlite too)
 * and SQS (scale-out). Delivery is at least once: handlers are idempotent.
 */
export interface JobInput {
  /** Handler name, e.g. `webhook.process`, `sync.connection`. */
  type: string;
  payload: Record<string, unknown>;
  /** Deduplication key: a second send with the same key while the first is pending is dropped. */
  key?: string;
  /** Ordering group (e.g. the connection id): SQS FIFO MessageGroupId. */
  groupId?: string;
  /** At most 900 s (SQS's cap); longer waits are parked in the database by the caller. */
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
}

export interface Queue {
  readonly kind: 'postgres' | 'sqs';
  send(job: JobInput): Promise<void>;
  sendBatch(jobs: JobInput[]): Promise<void>;
  /** Lease up to `max` jobs for `visibilitySeconds`; unacked jobs reappear after it. */
  receive(max: number, visibilitySeconds: number): Promise<ReceivedJob[]>;
  ack(job: ReceivedJob): Promise<void>;
  /** Give the job back: retried after `delaySeconds` (backoff), dead-lettered after the attempt limit. */
  nack(job: ReceivedJob, opts?: { delaySeconds?: number; error?: string }): Promise<void>;
  /** Keep a long job's lease. */
  extend(job: ReceivedJob, visibilitySeconds: number): Promise<void>;
  close(): Promise<void>;
}

export const MAX_DELAY_SECONDS = 900;
