import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { beforeAll } from 'vitest';
import type { Queue } from '../../../src/queue/port.js';
import { createSqsQueue, type SqsQueue } from '../../../src/queue/sqs.js';
import { queueContract } from './contract.js';

// One in-process SQS-compatible server (fauxqs) for the file; each test gets its own queue + DLQ.
let fauxqs: FauxqsServer | undefined;
let client: SQSClient;
let n = 0;

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  client = new SQSClient({
    endpoint: fauxqs.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

async function makeQueue(fifo: boolean, maxAttempts: number): Promise<Queue> {
  const server = fauxqs as FauxqsServer;
  const name = `lb-${process.pid}-${++n}`;
  const suffix = fifo ? '.fifo' : '';
  const fifoAttrs: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
  const dlq = server.createQueue(`${name}-dlq${suffix}`, { attributes: fifoAttrs });
  const q = server.createQueue(`${name}${suffix}`, {
    attributes: {
      ...fifoAttrs,
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.queueArn,
        maxReceiveCount: String(maxAttempts),
      }),
    },
  });
  return createSqsQueue({ queueUrl: q.queueUrl, region: 'us-east-1', client, waitTimeSeconds: 0 });
}

async function deadLetters(queue: Queue) {
  const url = (queue as SqsQueue).deadLetterQueueUrl;
  const res = await client.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
  );
  return (res.Messages ?? []).map((m) => {
    const body = JSON.parse(m.Body ?? '{}') as { type: string; payload: Record<string, unknown> };
    return { type: body.type, payload: body.payload };
  });
}

for (const fifo of [false, true]) {
  queueContract({
    name: fifo ? 'sqs FIFO (fauxqs)' : 'sqs standard (fauxqs)',
    make: ({ maxAttempts }) => makeQueue(fifo, maxAttempts),
    deadLetters,
    async teardown() {
      if (fifo) {
        client.destroy();
        await fauxqs?.stop();
      }
    },
  });
}
