import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sql } from 'drizzle-orm';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { rowsOf } from '../../../src/db/migrate.js';
import { AppError } from '../../../src/lib/errors.js';
import { releaseParked, sendAt, withParking } from '../../../src/queue/park.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import { createSqsQueue } from '../../../src/queue/sqs.js';
import { runDueSchedules, ScheduleRegistry } from '../../../src/worker/schedules.js';
import { createTestDatabase } from '../../support/db.js';

let database: Database;
let fauxqs: FauxqsServer;
let client: SQSClient;
const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

beforeAll(async () => {
  database = await createTestDatabase();
  fauxqs = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  client = new SQSClient({
    endpoint: fauxqs.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}, 180_000);
beforeEach(async () => {
  await database.db.execute(sql`truncate jobs, parked_jobs, queue_schedules`);
});
afterAll(async () => {
  client.destroy();
  await fauxqs.stop();
  await database.close();
});

const queuedJobs = async () =>
  rowsOf<{ type: string; dedupe_key: string | null; delay: number }>(
    await database.db.execute(
      sql`select type, dedupe_key, round(extract(epoch from visible_at - now()))::int as delay from jobs order by created_at`,
    ),
  );

describe('recurring schedules', () => {
  it('enqueues each run once even when several workers tick at the same moment', async () => {
    const registry = new ScheduleRegistry();
    registry.register('grants.refresh-idle', 3600, { type: 'grants.refresh', payload: { idleDays: 30 } });
    const queue = createPostgresQueue(database.db);
    const t0 = new Date('2026-12-03T10:00:00.000Z');

    const firstTick = await Promise.all(
      [1, 2, 3].map(() => runDueSchedules(database.db, queue, registry, t0)),
    );
    expect(firstTick.flat()).toEqual(['grants.refresh-idle']);
    expect(await runDueSchedules(database.db, queue, registry, at(t0, 3599))).toEqual([]);
    expect(await runDueSchedules(database.db, queue, registry, at(t0, 3600))).toEqual([
      'grants.refresh-idle',
    ]);

    const slot = Math.floor(t0.getTime() / 1000);
    expect((await queuedJobs()).map((j) => [j.type, j.dedupe_key])).toEqual([
      ['grants.refresh', `schedule:grants.refresh-idle:${slot}`],
      ['grants.refresh', `schedule:grants.refresh-idle:${slot + 3600}`],
    ]);
  });

  it('refuses a schedule with a bad interval or a bad job', () => {
    const registry = new ScheduleRegistry();
    expect(() => registry.register('x', 0, { type: 'a.b', payload: {} })).toThrow(/everySeconds/);
    expect(() => registry.register('y', 60, { type: '', payload: {} })).toThrow(AppError);
    registry.register('z', 60, { type: 'a.b', payload: {} });
    expect(() => registry.register('z', 60, { type: 'a.b', payload: {} })).toThrow(/already registered/);
  });
});

describe('parked jobs (waits longer than the queue holds)', () => {
  it('queues a wait within 900 s as a delay and parks a longer one until it comes within reach', async () => {
    const queue = createPostgresQueue(database.db);
    const now = new Date();
    expect(
      await sendAt(database.db, queue, { type: 'sync.resume', payload: { n: 1 } }, at(now, 600), now),
    ).toBe('queued');
    expect(
      await sendAt(database.db, queue, { type: 'sync.resume', payload: { n: 2 } }, at(now, 24 * 3600), now),
    ).toBe('parked');
    const delays = (await queuedJobs()).map((j) => j.delay);
    expect(delays).toHaveLength(1);
    expect(Math.abs((delays[0] ?? 0) - 600)).toBeLessThanOrEqual(2);

    // A day minus 20 minutes later it is still too far; a day minus 10 minutes, it moves with a 600 s delay.
    expect(await releaseParked(database.db, queue, at(now, 24 * 3600 - 1200))).toBe(0);
    expect(await releaseParked(database.db, queue, at(now, 24 * 3600 - 600))).toBe(1);
    expect(rowsOf(await database.db.execute(sql`select id from parked_jobs`))).toEqual([]);
    const after = await queuedJobs();
    expect(after).toHaveLength(2);
    expect(Math.abs((after[1]?.delay ?? 0) - 600)).toBeLessThanOrEqual(2);
  });

  it('parks any wait for a FIFO queue (no per-message delay) and sends it when due', async () => {
    const q = fauxqs.createQueue(`park-${process.pid}.fifo`, { attributes: { FifoQueue: 'true' } });
    const queue = await createSqsQueue({
      queueUrl: q.queueUrl,
      region: 'us-east-1',
      client,
      waitTimeSeconds: 0,
    });
    const now = new Date();
    const job = { type: 'xero.resume', payload: { connectionId: 'c1' }, groupId: 'c1', key: 'resume-c1-1' };
    expect(await sendAt(database.db, queue, job, at(now, 30), now)).toBe('parked');
    expect(await releaseParked(database.db, queue, at(now, 29))).toBe(0);
    expect(await releaseParked(database.db, queue, at(now, 30))).toBe(1);
    const got = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: q.queueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['MessageGroupId'],
      }),
    );
    expect(got.Messages?.map((m) => [JSON.parse(m.Body ?? '{}'), m.Attributes?.MessageGroupId])).toEqual([
      [{ v: 1, type: 'xero.resume', payload: { connectionId: 'c1' } }, 'c1'],
    ]);
  });

  it('lets callers use delaySeconds on a FIFO queue: the delayed job is parked, an undelayed one sent', async () => {
    const q = fauxqs.createQueue(`wrap-${process.pid}.fifo`, { attributes: { FifoQueue: 'true' } });
    const fifo = await createSqsQueue({
      queueUrl: q.queueUrl,
      region: 'us-east-1',
      client,
      waitTimeSeconds: 0,
    });
    const t0 = new Date();
    const queue = withParking(fifo, database.db, () => t0);
    expect(queue.capabilities.maxDelaySeconds).toBe(900);
    await queue.sendBatch([
      { type: 'qbo.retry', payload: { n: 1 }, groupId: 'c1', delaySeconds: 20 },
      { type: 'qbo.retry', payload: { n: 2 }, groupId: 'c2' },
    ]);
    expect((await fifo.receive(10, 30)).map((j) => j.payload)).toEqual([{ n: 2 }]);
    const parked = rowsOf<{ run_at: Date | string }>(
      await database.db.execute(sql`select run_at from parked_jobs`),
    );
    expect(parked.map((r) => new Date(r.run_at).getTime())).toEqual([t0.getTime() + 20_000]);
    // The scheduler is handed the wrapped queue: it releases into the FIFO queue itself, only when due.
    expect(await releaseParked(database.db, queue, at(t0, 19))).toBe(0);
    expect(await releaseParked(database.db, queue, at(t0, 20))).toBe(1);
    expect(rowsOf(await database.db.execute(sql`select id from parked_jobs`))).toEqual([]);
    expect((await fifo.receive(10, 30)).map((j) => [j.payload, j.groupId])).toEqual([[{ n: 1 }, 'c1']]);
    await expect(queue.send({ type: 'qbo.retry', payload: {}, delaySeconds: 901 })).rejects.toThrow(AppError);
  });
});
