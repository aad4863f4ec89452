import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../../src/config/env.js';
import type { Database } from '../../../src/db/client.js';
import type { AppDeps } from '../../../src/http/deps.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createSqsQueue, type SqsQueue } from '../../../src/queue/sqs.js';
import { JobHandlerRegistry } from '../../../src/worker/handlers.js';
import { startWorker } from '../../../src/worker/worker.js';
import { createTestDatabase } from '../../support/db.js';

/** The worker over SQS (fauxqs in-process): FIFO order per connection, DLQ, lease extension. */
let fauxqs: FauxqsServer;
let client: SQSClient;
let database: Database;
let deps: AppDeps;
let n = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  client = new SQSClient({
    endpoint: fauxqs.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  database = await createTestDatabase();
  deps = { config: loadConfig({}), database, db: database.db, logger: silentLogger, clock: systemClock };
}, 180_000);
afterAll(async () => {
  client.destroy();
  await fauxqs.stop();
  await database.close();
});

async function makeQueue(fifo: boolean): Promise<SqsQueue> {
  const name = `w-${process.pid}-${++n}`;
  const sfx = fifo ? '.fifo' : '';
  const attrs: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
  const dlq = fauxqs.createQueue(`${name}-dlq${sfx}`, { attributes: attrs });
  const q = fauxqs.createQueue(`${name}${sfx}`, {
    attributes: {
      ...attrs,
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: '3' }),
    },
  });
  return createSqsQueue({ queueUrl: q.queueUrl, region: 'us-east-1', client, waitTimeSeconds: 0 });
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('worker on SQS', () => {
  it('runs one connection’s jobs in order, one at a time, on a FIFO queue (other connections in parallel)', async () => {
    const queue = await makeQueue(true);
    const log: string[] = [];
    let active = 0;
    let maxActiveC1 = 0;
    const registry = new JobHandlerRegistry();
    registry.register('sync.step', async (p: Record<string, unknown>) => {
      const tag = `${String(p.conn)}:${String(p.step)}`;
      if (p.conn === 'c1') maxActiveC1 = Math.max(maxActiveC1, ++active);
      log.push(tag);
      await sleep(30);
      if (p.conn === 'c1') active--;
    });
    const w = startWorker({ deps, queue, registry, concurrency: 4, idleMs: 20 });
    await queue.sendBatch(
      ['c1', 'c2'].flatMap((conn) =>
        [1, 2, 3, 4, 5].map((step) => ({
          type: 'sync.step',
          payload: { conn, step },
          groupId: conn,
          key: `${conn}-${step}`,
        })),
      ),
    );
    await until('all 10 jobs', () => w.stats.succeeded === 10);
    await w.stop();
    expect(log.filter((t) => t.startsWith('c1')).map((t) => t.slice(3))).toEqual(['1', '2', '3', '4', '5']);
    expect(log.filter((t) => t.startsWith('c2')).map((t) => t.slice(3))).toEqual(['1', '2', '3', '4', '5']);
    expect(maxActiveC1).toBe(1);
  });

  it('moves a job with an invalid payload to the dead-letter queue at once, with the reason', async () => {
    const queue = await makeQueue(true);
    const registry = new JobHandlerRegistry();
    registry.register('stripe.event', async () => {}, { schema: z.object({ eventId: z.string() }) });
    const w = startWorker({ deps, queue, registry, concurrency: 2, idleMs: 20 });
    await queue.send({ type: 'stripe.event', payload: { eventId: 7 }, groupId: 'conn-9' });
    await until('the failure', () => w.stats.failed === 1);
    await w.stop();
    expect(await queue.stats()).toEqual({ queued: 0, leased: 0, delayed: 0, dead: 1 });
    const dead = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(
      dead.Messages?.map((m) => [JSON.parse(m.Body ?? '{}'), m.MessageAttributes?.error?.StringValue]),
    ).toEqual([
      [{ v: 1, type: 'stripe.event', payload: { eventId: 7 } }, 'bad payload for job type "stripe.event"'],
    ]);
    expect(await queue.receive(10, 0)).toEqual([]);
    expect(w.stats.received).toBe(1);
  });

  it('extends the visibility of a job that runs past it, so the message is not redelivered', async () => {
    const queue = await makeQueue(false);
    let runs = 0;
    const registry = new JobHandlerRegistry();
    registry.register('pull.journals', async () => {
      runs++;
      await sleep(3500);
    });
    const a = startWorker({ deps, queue, registry, concurrency: 1, visibilitySeconds: 1, idleMs: 20 });
    const b = startWorker({ deps, queue, registry, concurrency: 1, visibilitySeconds: 1, idleMs: 20 });
    await queue.send({ type: 'pull.journals', payload: {} });
    await until('the job to finish', () => a.stats.succeeded + b.stats.succeeded === 1);
    await Promise.all([a.stop(), b.stop()]);
    expect(runs).toBe(1);
    expect(a.stats.received + b.stats.received).toBe(1);
  });
});
