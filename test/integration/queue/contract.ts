import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/lib/errors.js';
import type { Queue, ReceivedJob } from '../../../src/queue/port.js';

/** One adapter under the contract: a fresh, empty queue per test, and a look into its dead letters. */
export interface QueueHarness {
  name: string;
  /** A fresh empty queue whose jobs are dead-lettered after `maxAttempts` deliveries. */
  make(opts: { maxAttempts: number }): Promise<Queue>;
  deadLetters(queue: Queue): Promise<{ type: string; payload: Record<string, unknown> }[]>;
  teardown(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Receive until `n` jobs arrived or `ms` passed (SQS may answer a receive with fewer than exist). */
async function drain(queue: Queue, n: number, vis: number, ms = 5000): Promise<ReceivedJob[]> {
  const got: ReceivedJob[] = [];
  const until = Date.now() + ms;
  while (got.length < n && Date.now() < until) {
    const batch = await queue.receive(Math.min(10, n - got.length), vis);
    got.push(...batch);
    if (batch.length === 0) await sleep(50);
  }
  return got;
}

export function queueContract(harness: QueueHarness): void {
  describe(`queue contract: ${harness.name}`, () => {
    let queue: Queue;
    beforeEach(async () => {
      queue = await harness.make({ maxAttempts: 2 });
    });
    afterAll(() => harness.teardown());

    it('delivers a sent job once with its payload, and an acked job never comes back', async () => {
      await queue.send({ type: 'test.echo', payload: { n: 1, nested: { s: 'x' } }, groupId: 'g1' });
      const [job, ...rest] = await drain(queue, 1, 1);
      expect(rest).toEqual([]);
      expect(job).toMatchObject({ type: 'test.echo', payload: { n: 1, nested: { s: 'x' } }, attempt: 1 });
      await queue.ack(job as ReceivedJob);
      await sleep(1300);
      expect(await queue.receive(10, 1)).toEqual([]);
    });

    it('hides a received job until its visibility timeout, then redelivers it as attempt 2', async () => {
      await queue.send({ type: 'test.slow', payload: { id: 'a' } });
      const [first] = await drain(queue, 1, 1);
      expect(first?.attempt).toBe(1);
      expect(await queue.receive(10, 1)).toEqual([]);
      await sleep(1300);
      const [again] = await drain(queue, 1, 30);
      expect(again).toMatchObject({ id: first?.id, type: 'test.slow', payload: { id: 'a' }, attempt: 2 });
      await queue.ack(again as ReceivedJob);
    });

    it('keeps a long job hidden while its lease is extended', async () => {
      await queue.send({ type: 'test.long', payload: {} });
      const [job] = await drain(queue, 1, 1);
      await queue.extend(job as ReceivedJob, 5);
      await sleep(1500);
      expect(await queue.receive(10, 1)).toEqual([]);
      await queue.ack(job as ReceivedJob);
    });

    it('retries a nacked job after the given delay', async () => {
      await queue.send({ type: 'test.flaky', payload: { k: 'v' } });
      const [job] = await drain(queue, 1, 30);
      await queue.nack(job as ReceivedJob, { delaySeconds: 1, error: 'boom' });
      expect(await queue.receive(10, 30)).toEqual([]);
      await sleep(1300);
      const [retry] = await drain(queue, 1, 30);
      expect(retry).toMatchObject({ type: 'test.flaky', payload: { k: 'v' }, attempt: 2 });
      await queue.ack(retry as ReceivedJob);
    });

    it('dead-letters a job that failed on every allowed attempt', async () => {
      await queue.send({ type: 'test.poison', payload: { bad: true } });
      for (let attempt = 1; attempt <= 2; attempt++) {
        const [job] = await drain(queue, 1, 30);
        expect(job?.attempt).toBe(attempt);
        await queue.nack(job as ReceivedJob, { delaySeconds: 0, error: `failure ${attempt}` });
      }
      await sleep(200);
      expect(await queue.receive(10, 30)).toEqual([]);
      expect(await harness.deadLetters(queue)).toEqual([{ type: 'test.poison', payload: { bad: true } }]);
    });

    it('dead-letters a job whose worker vanished on every attempt (leases ran out)', async () => {
      await queue.send({ type: 'test.crashy', payload: { c: 1 } });
      for (let attempt = 1; attempt <= 2; attempt++) {
        const [job] = await drain(queue, 1, 1);
        expect(job?.attempt).toBe(attempt);
        await sleep(1300);
      }
      expect(await queue.receive(10, 30)).toEqual([]);
      expect(await harness.deadLetters(queue)).toEqual([{ type: 'test.crashy', payload: { c: 1 } }]);
    });

    it('receives a batch of 25 jobs, each exactly once', async () => {
      await queue.sendBatch(
        Array.from({ length: 25 }, (_, i) => ({ type: 'test.batch', payload: { i }, groupId: `g${i % 5}` })),
      );
      // Acked as they arrive: a FIFO queue holds a group's next job back while one is in flight.
      const got: ReceivedJob[] = [];
      const until = Date.now() + 10_000;
      while (got.length < 25 && Date.now() < until) {
        const batch = await queue.receive(10, 30);
        for (const j of batch) await queue.ack(j);
        got.push(...batch);
      }
      expect(got.map((j) => j.payload.i as number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, i) => i),
      );
      expect(await queue.receive(10, 30)).toEqual([]);
    });

    it('drops a second send with the same dedupe key while the first waits (when the queue dedupes)', async () => {
      await queue.send({ type: 'test.dedupe', payload: { v: 1 }, key: 'evt_1' });
      await queue.send({ type: 'test.dedupe', payload: { v: 2 }, key: 'evt_1' });
      await queue.send({ type: 'test.dedupe', payload: { v: 3 }, key: 'evt_2' });
      const got = await drain(queue, 3, 30, 1500);
      const values = got.map((j) => j.payload.v).sort();
      if (queue.capabilities.dedupe === 'none') expect(values).toEqual([1, 2, 3]);
      else expect(values).toEqual([1, 3]);
    });

    it('holds a delayed job back until its delay passes (where the queue takes delays)', async () => {
      if (queue.capabilities.maxDelaySeconds === 0) {
        await expect(queue.send({ type: 'test.later', payload: {}, delaySeconds: 1 })).rejects.toThrow(
          AppError,
        );
        return;
      }
      await queue.send({ type: 'test.later', payload: { d: 1 }, delaySeconds: 2 });
      expect(await queue.receive(10, 30)).toEqual([]);
      await sleep(2300);
      const [job] = await drain(queue, 1, 30);
      expect(job).toMatchObject({ type: 'test.later', payload: { d: 1 }, attempt: 1 });
    });

    it('refuses a delay beyond 900 s and a malformed job with validation_failed', async () => {
      const err = await queue.send({ type: 'x', payload: {}, delaySeconds: 901 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('validation_failed');
      const bad = await queue.send({ type: '', payload: {} }).catch((e: unknown) => e);
      expect((bad as AppError).fields?.map((f) => f.path)).toEqual(['type']);
    });

    it('delivers one group in order, one job at a time (ordered queues only)', async () => {
      await queue.sendBatch(
        ['a', 'b', 'c'].map((s) => ({ type: 'test.order', payload: { s }, groupId: 'conn-1' })),
      );
      if (!queue.capabilities.orderedGroups) return;
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const batch = await drain(queue, 1, 30);
        expect(batch).toHaveLength(1);
        // The next job of the group stays back while this one is in flight.
        expect(await queue.receive(10, 30)).toEqual([]);
        seen.push(String(batch[0]?.payload.s));
        await queue.ack(batch[0] as ReceivedJob);
      }
      expect(seen).toEqual(['a', 'b', 'c']);
    });
  });
}
