import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';
import type { AppDeps } from '../../../src/http/deps.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { JobInput, NackOptions, Queue, ReceivedJob } from '../../../src/queue/port.js';
import { JobHandlerRegistry } from '../../../src/worker/handlers.js';
import { startWorker } from '../../../src/worker/worker.js';

/**
 * Real SQS FIFO may return several messages of one group in a single receive (fauxqs returns one): a
 * scripted ordered queue that does exactly that, recording acks and nacks.
 */
function scriptedFifo(jobs: JobInput[]) {
  const pending: ReceivedJob[] = jobs.map((j, i) => ({
    id: `m${i + 1}`,
    type: j.type,
    payload: j.payload,
    attempt: 1,
    receipt: `r${i + 1}`,
    ...(j.groupId ? { groupId: j.groupId } : {}),
  }));
  const acked: string[] = [];
  const nacked: { id: string; opts: NackOptions | undefined }[] = [];
  const queue: Queue = {
    kind: 'sqs',
    capabilities: { maxDelaySeconds: 0, dedupe: 'window', orderedGroups: true, maxAttempts: 5 },
    send: async () => {},
    sendBatch: async () => {},
    receive: async (max) => pending.splice(0, max),
    ack: async (j) => {
      acked.push(j.id);
    },
    nack: async (j, opts) => {
      nacked.push({ id: j.id, opts });
    },
    extend: async () => {},
    close: async () => {},
  };
  return { queue, acked, nacked };
}

const deps = { config: loadConfig({}), logger: silentLogger, clock: systemClock } as unknown as AppDeps;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker on an ordered queue', () => {
  it('runs the jobs of one group from one batch one after the other, in order', async () => {
    const { queue, acked } = scriptedFifo(
      [1, 2, 3].map((step) => ({ type: 'sync.step', payload: { step }, groupId: 'conn-1' })),
    );
    const events: string[] = [];
    const registry = new JobHandlerRegistry();
    registry.register('sync.step', async (p) => {
      events.push(`start ${String(p.step)}`);
      await sleep(20);
      events.push(`end ${String(p.step)}`);
    });
    const w = startWorker({ deps, queue, registry, concurrency: 4, idleMs: 10 });
    while (acked.length < 3) await sleep(10);
    await w.stop();
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(acked).toEqual(['m1', 'm2', 'm3']);
  });

  it('gives back the rest of a group untried when one of its jobs fails, so order is kept', async () => {
    const { queue, acked, nacked } = scriptedFifo(
      [1, 2, 3].map((step) => ({ type: 'sync.step', payload: { step }, groupId: 'conn-1' })),
    );
    const ran: number[] = [];
    const registry = new JobHandlerRegistry();
    registry.register('sync.step', async (p) => {
      ran.push(Number(p.step));
      if (p.step === 2) throw new Error('provider hiccup');
    });
    const w = startWorker({ deps, queue, registry, concurrency: 4, idleMs: 10 });
    while (nacked.length < 2) await sleep(10);
    await w.stop();
    expect(ran).toEqual([1, 2]);
    expect(acked).toEqual(['m1']);
    expect(nacked.map((n) => [n.id, n.opts?.error])).toEqual([
      ['m2', 'provider hiccup'],
      ['m3', 'an earlier job of its group failed'],
    ]);
    expect(nacked[1]?.opts?.delaySeconds).toBe(0);
  });
});
