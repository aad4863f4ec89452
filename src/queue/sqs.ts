import { createHash, randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AppError } from '../lib/errors.js';
import {
  type JobInput,
  MAX_BATCH,
  type NackOptions,
  type Queue,
  type QueueCapabilities,
  type ReceivedJob,
} from './port.js';
import { backoffSeconds, validateJob, validateLease } from './validate.js';

/**
 * The SQS adapter (several worker machines). Standard or FIFO is read from the queue itself. FIFO: one
 * MessageGroupId per connection (`groupId`) keeps a firm's jobs in order; `key` is the
 * MessageDeduplicationId (SQS drops a repeat within 5 minutes). Dead letters come from the queue's
 * redrive policy (maxReceiveCount is our attempt limit); a permanent failure is moved to the
 * dead-letter queue at once. SQS holds at most 900 s of delay, FIFO none per message: longer waits go
 * through `sendAt` (src/queue/park.ts).
 */
export interface SqsQueueOptions {
  queueUrl: string;
  region: string;
  /** An SQS-compatible endpoint (fauxqs, LocalStack); absent: AWS. */
  endpoint?: string;
  client?: SQSClient;
  /** Long-poll wait of each receive (0–20 s, default 2). */
  waitTimeSeconds?: number;
  backoff?: (attempt: number) => number;
}

export interface SqsQueue extends Queue {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string | undefined;
  readonly client: SQSClient;
  /** SQS's approximate counts (queued = visible, leased = in flight). */
  stats(): Promise<{ queued: number; leased: number; delayed: number; dead: number }>;
}

/** SQS's message size limit we keep to (the classic 256 KiB). */
const MAX_MESSAGE_BYTES = 256 * 1024;
const SQS_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

interface Body {
  v: 1;
  type: string;
  payload: Record<string, unknown>;
}

export async function createSqsQueue(opts: SqsQueueOptions): Promise<SqsQueue> {
  const client =
    opts.client ??
    new SQSClient({ region: opts.region, ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
  const waitTimeSeconds = opts.waitTimeSeconds ?? 2;
  const backoff = opts.backoff ?? ((attempt: number) => backoffSeconds(attempt));
  const queueUrl = opts.queueUrl;

  const attrs =
    (
      await client.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['FifoQueue', 'RedrivePolicy'] }),
      )
    ).Attributes ?? {};
  const fifo = attrs.FifoQueue === 'true';
  let maxAttempts = Number.POSITIVE_INFINITY;
  let deadLetterQueueUrl: string | undefined;
  if (attrs.RedrivePolicy) {
    const policy = JSON.parse(attrs.RedrivePolicy) as {
      deadLetterTargetArn?: string;
      maxReceiveCount?: string | number;
    };
    maxAttempts = Number(policy.maxReceiveCount);
    const arn = policy.deadLetterTargetArn?.split(':') ?? [];
    const name = arn[5];
    if (name) {
      deadLetterQueueUrl = (
        await client.send(
          new GetQueueUrlCommand({ QueueName: name, ...(arn[4] ? { QueueOwnerAWSAccountId: arn[4] } : {}) }),
        )
      ).QueueUrl;
    }
  }
  const capabilities: QueueCapabilities = {
    maxDelaySeconds: fifo ? 0 : 900,
    dedupe: fifo ? 'window' : 'none',
    orderedGroups: fifo,
    maxAttempts,
  };

  const sqsId = (value: string) =>
    SQS_ID.test(value) ? value : createHash('sha256').update(value).digest('hex');

  const entry = (job: JobInput, id: string): SendMessageBatchRequestEntry => {
    validateJob(job, capabilities.maxDelaySeconds);
    const body = JSON.stringify({ v: 1, type: job.type, payload: job.payload } satisfies Body);
    if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) {
      throw new AppError('validation_failed', 'invalid job', {
        fields: [{ path: 'payload', message: `over ${MAX_MESSAGE_BYTES} bytes: store it and send its id` }],
      });
    }
    return {
      Id: id,
      MessageBody: body,
      ...(fifo
        ? {
            MessageGroupId: sqsId(job.groupId ?? randomUUID()),
            MessageDeduplicationId: sqsId(job.key ?? randomUUID()),
          }
        : job.delaySeconds
          ? { DelaySeconds: job.delaySeconds }
          : {}),
    };
  };

  const sendEntries = async (entries: SendMessageBatchRequestEntry[]) => {
    const res = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const failed = res.Failed ?? [];
    if (failed.length > 0) {
      throw new AppError('provider_error', `SQS refused ${failed.length} of ${entries.length} messages`, {
        retryable: failed.every((f) => !f.SenderFault),
        details: { failed: failed.map((f) => ({ id: f.Id, code: f.Code })) },
      });
    }
  };

  const toJob = (m: Message): ReceivedJob => {
    let body: Body;
    try {
      body = JSON.parse(m.Body ?? '') as Body;
      if (typeof body.type !== 'string' || typeof body.payload !== 'object' || body.payload === null)
        throw new Error();
    } catch {
      // Not ours: no handler will take it, so it ends in the dead-letter queue.
      body = { v: 1, type: 'queue.malformed', payload: { body: String(m.Body ?? '').slice(0, 1000) } };
    }
    const group = m.Attributes?.MessageGroupId;
    return {
      id: m.MessageId ?? '',
      type: body.type,
      payload: body.payload,
      attempt: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
      receipt: m.ReceiptHandle ?? '',
      ...(group ? { groupId: group } : {}),
    };
  };

  const changeVisibility = (job: ReceivedJob, seconds: number) =>
    client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: job.receipt,
        VisibilityTimeout: seconds,
      }),
    );

  return {
    kind: 'sqs',
    capabilities,
    queueUrl,
    deadLetterQueueUrl,
    client,

    async send(job) {
      await sendEntries([entry(job, '0')]);
    },

    async sendBatch(list) {
      const entries = list.map((j, i) => entry(j, String(i)));
      // At most 10 entries and 256 KiB per SendMessageBatch.
      let chunk: SendMessageBatchRequestEntry[] = [];
      let bytes = 0;
      for (const e of entries) {
        const size = Buffer.byteLength(e.MessageBody ?? '');
        if (chunk.length === MAX_BATCH || bytes + size > MAX_MESSAGE_BYTES) {
          await sendEntries(chunk);
          chunk = [];
          bytes = 0;
        }
        chunk.push(e);
        bytes += size;
      }
      if (chunk.length > 0) await sendEntries(chunk);
    },

    async receive(max, visibilitySeconds) {
      validateLease(max, visibilitySeconds, MAX_BATCH);
      const res = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: max,
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: waitTimeSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId'],
        }),
      );
      return (res.Messages ?? []).map(toJob);
    },

    async ack(job) {
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: job.receipt }));
    },

    async nack(job, o: NackOptions = {}) {
      if (o.deadLetter && deadLetterQueueUrl) {
        await client.send(
          new SendMessageCommand({
            QueueUrl: deadLetterQueueUrl,
            MessageBody: JSON.stringify({ v: 1, type: job.type, payload: job.payload } satisfies Body),
            MessageAttributes: {
              error: { DataType: 'String', StringValue: (o.error ?? 'permanent failure').slice(0, 1000) },
            },
            ...(fifo
              ? { MessageGroupId: sqsId(job.groupId ?? job.id), MessageDeduplicationId: sqsId(job.id) }
              : {}),
          }),
        );
        await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: job.receipt }));
        return;
      }
      const delay = Math.max(0, Math.min(900, Math.round(o.delaySeconds ?? backoff(job.attempt))));
      try {
        await changeVisibility(job, delay);
      } catch (e) {
        // Already visible again (the lease ran out): nothing to give back.
        if ((e as { name?: string }).name !== 'MessageNotInflight') throw e;
      }
    },

    async extend(job, visibilitySeconds) {
      validateLease(1, visibilitySeconds, 1);
      try {
        await changeVisibility(job, visibilitySeconds);
      } catch (e) {
        const name = (e as { name?: string }).name;
        if (name === 'MessageNotInflight' || name === 'ReceiptHandleIsInvalid') {
          throw new AppError('conflict', `lease on job ${job.id} was lost`, { cause: e });
        }
        throw e;
      }
    },

    async stats() {
      const count = async (url: string | undefined) => {
        if (!url) return {} as Record<string, string>;
        const res = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'ApproximateNumberOfMessagesDelayed',
            ],
          }),
        );
        return res.Attributes ?? {};
      };
      const [main, dlq] = await Promise.all([count(queueUrl), count(deadLetterQueueUrl)]);
      return {
        queued: Number(main.ApproximateNumberOfMessages ?? 0),
        leased: Number(main.ApproximateNumberOfMessagesNotVisible ?? 0),
        delayed: Number(main.ApproximateNumberOfMessagesDelayed ?? 0),
        dead: Number(dlq.ApproximateNumberOfMessages ?? 0),
      };
    },

    async close() {
      if (!opts.client) client.destroy();
    },
  };
}
