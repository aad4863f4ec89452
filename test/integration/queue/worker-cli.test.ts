import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sql } from 'drizzle-orm';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { migrate, rowsOf } from '../../../src/db/migrate.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import { createSqsQueue } from '../../../src/queue/sqs.js';

/** `ledgerbridge worker` as a person runs it: a real process, configured by environment variables. */
const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));
const dirs: string[] = [];
let fauxqs: FauxqsServer;

beforeAll(async () => {
  // Default host: queue URLs are http://sqs.<region>.localhost:<port>/…, valid URLs for the config.
  fauxqs = await startFauxqs({ port: 0, logger: false });
});
afterAll(async () => {
  await fauxqs.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Run the CLI until `ready` appears on stdout and `cond` holds, then SIGTERM it; its exit and output. */
async function runWorker(env: Record<string, string>, cond: () => Promise<boolean>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'lb-worker-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', '--concurrency', '2'], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const end = Date.now() + 100_000;
  while (!(out.includes('Ctrl-C stops it') && (await cond()))) {
    if (Date.now() > end || child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM');
  return { code: await exited, out, dataDir };
}

describe('ledgerbridge worker', () => {
  it('consumes the SQS queue named by QUEUE=sqs, SQS_QUEUE_URL and SQS_ENDPOINT', async () => {
    const q = fauxqs.createQueue(`cli-${process.pid}`);
    const client = new SQSClient({
      endpoint: fauxqs.address,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const queue = await createSqsQueue({
      queueUrl: q.queueUrl,
      region: 'eu-west-1',
      client,
      waitTimeSeconds: 0,
    });
    await queue.send({ type: 'nobody.handles', payload: { n: 1 } });
    const received = () => {
      const m = fauxqs.inspectQueue(`cli-${process.pid}`)?.messages;
      return (m?.inflight.length ?? 0) + (m?.delayed.length ?? 0) > 0;
    };
    const { code, out } = await runWorker(
      {
        QUEUE: 'sqs',
        SQS_QUEUE_URL: q.queueUrl,
        SQS_ENDPOINT: fauxqs.address,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
      async () => received(),
    );
    expect(out).toContain('ledgerbridge worker: sqs queue, concurrency 2');
    expect(code).toBe(0);
    // The worker received the job, found no handler and gave it back with a backoff (not deleted).
    const state = fauxqs.inspectQueue(`cli-${process.pid}`)?.messages;
    expect((state?.ready.length ?? 0) + (state?.delayed.length ?? 0) + (state?.inflight.length ?? 0)).toBe(1);
    client.destroy();
  }, 120_000);

  it('consumes the Postgres queue in the PGlite data folder by default and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lb-worker-pg-'));
    dirs.push(dataDir);
    const seed = await openDatabase({ dataDir, purpose: 'test' });
    await migrate(seed.db);
    await createPostgresQueue(seed.db).send({ type: 'nobody.handles', payload: {} });
    await seed.close();

    const { code, out } = await runWorker({ DATA_DIR: dataDir }, async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return true;
    });
    expect(out).toContain('ledgerbridge worker: postgres queue, concurrency 2');
    expect(code).toBe(0);
    const after = await openDatabase({ dataDir, purpose: 'test' });
    try {
      expect(rowsOf(await after.db.execute(sql`select type, state, attempts, last_error from jobs`))).toEqual(
        [
          {
            type: 'nobody.handles',
            state: 'queued',
            attempts: 1,
            last_error: 'no handler registered for job type "nobody.handles"',
          },
        ],
      );
    } finally {
      await after.close();
    }
  }, 120_000);
});
