import type { Env } from '../config/env.js';
import type { Db } from '../db/types.js';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import { withParking } from './park.js';
import type { Queue } from './port.js';
import { createPostgresQueue } from './postgres.js';
import { createSqsQueue } from './sqs.js';

export { releaseParked, sendAt, withParking } from './park.js';
export type { JobInput, Queue, ReceivedJob } from './port.js';

/**
 * The configured queue: `QUEUE=postgres` (default, the `jobs` table) or `QUEUE=sqs` (SQS_QUEUE_URL). A
 * FIFO queue is wrapped so that `delaySeconds` still works (the job is parked in the database).
 */
export async function createQueue(
  config: Pick<Env, 'QUEUE' | 'SQS_QUEUE_URL' | 'SQS_ENDPOINT' | 'AWS_REGION'>,
  db: Db,
  clock: Clock,
): Promise<Queue> {
  switch (config.QUEUE) {
    case 'postgres':
      return createPostgresQueue(db);
    case 'sqs': {
      if (!config.SQS_QUEUE_URL) throw new AppError('not_configured', 'QUEUE=sqs needs SQS_QUEUE_URL');
      const sqs = await createSqsQueue({
        queueUrl: config.SQS_QUEUE_URL,
        region: config.AWS_REGION,
        ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
      });
      return withParking(sqs, db, () => clock.now());
    }
    default: {
      const never: never = config.QUEUE;
      throw new Error(`unknown queue ${String(never)}`);
    }
  }
}
