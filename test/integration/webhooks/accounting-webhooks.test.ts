import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';
import type { Database } from '../../../src/db/client.js';
import { rowsOf } from '../../../src/db/migrate.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import { connections, webhookEvents } from '../../../src/db/schema/index.js';
import { createApp } from '../../../src/http/app.js';
import type { AppDeps } from '../../../src/http/deps.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { hmacSha256 } from '../../../src/lib/hash.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import {
  type QboEntityChange,
  wireQboWebhooks,
  wireXeroWebhooks,
  type XeroResourceChange,
} from '../../../src/webhooks/accounting.js';
import { processWebhookJob } from '../../../src/webhooks/process.js';
import { createTestDatabase } from '../../support/db.js';
import { jsonFixture, readFixture } from '../../support/fixtures.js';

interface Vectors {
  webhookKey: string;
  vectors: { name: string; rawBody: string; validSignature: string; invalidSignature?: string }[];
}
const vectors = jsonFixture<Vectors>('xero', 'webhook-signature-vectors.json');
const vector = (name: string) => vectors.vectors.find((v) => v.name === name)!;
const QBO_TOKEN = 'qbo-verifier-token-for-tests';

let database: Database;
let deps: AppDeps;
let app: ReturnType<typeof createApp>;
let queue: ReturnType<typeof createPostgresQueue>;
let xeroConnectionId: string;
let qboConnectionId: string;
const xeroCalls: { connectionId: string; resources: XeroResourceChange[] }[] = [];
const qboCalls: { connectionId: string; changes: QboEntityChange[] }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    XERO_WEBHOOK_KEY: vectors.webhookKey,
    QBO_WEBHOOK_VERIFIER_TOKEN: QBO_TOKEN,
    WEBHOOK_MAX_BYTES: '4096',
  });
  queue = createPostgresQueue(database.db);
  deps = {
    config,
    database,
    db: database.db,
    logger: silentLogger,
    clock: fixedClock('2026-12-03T10:00:00Z'),
    queue,
  };
  app = createApp(deps);
  const firm = await createFirm(database.db, { name: 'Webhook Firm', baseCurrency: 'USD', timezone: 'UTC' });
  const [x] = await database.db
    .insert(connections)
    .values({
      firmId: firm.id,
      provider: 'xero',
      tenantId: 'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f',
      displayName: 'Xero Demo',
    })
    .returning();
  const [q] = await database.db
    .insert(connections)
    .values({ firmId: firm.id, provider: 'qbo', tenantId: '1185883450', displayName: 'QBO Sandbox' })
    .returning();
  xeroConnectionId = x!.id;
  qboConnectionId = q!.id;
  wireXeroWebhooks(async (_d, connectionId, resources) => {
    xeroCalls.push({ connectionId, resources });
  });
  wireQboWebhooks(async (_d, connectionId, changes) => {
    qboCalls.push({ connectionId, changes });
  });
});
beforeEach(async () => {
  await database.db.execute(sql`truncate webhook_events, jobs`);
  xeroCalls.length = 0;
  qboCalls.length = 0;
});
afterAll(async () => {
  await database.close();
});

const post = (path: string, body: string, headers: Record<string, string>) =>
  app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const xero = (body: string, signature: string) =>
  post('/webhooks/xero', body, { 'x-xero-signature': signature });
const qboSign = (body: string) => hmacSha256(QBO_TOKEN, body, 'base64');
const qbo = (body: string, signature = qboSign(body)) =>
  post('/webhooks/qbo', body, { 'intuit-signature': signature });

async function drain(): Promise<number> {
  let n = 0;
  for (;;) {
    const jobs = await queue.receive(10, 60);
    if (!jobs.length) return n;
    for (const j of jobs) {
      await processWebhookJob(deps, j.payload);
      await queue.ack(j);
      n += 1;
    }
  }
}
const countJobs = async () =>
  Number(rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from jobs`))[0]!.n);

describe('Xero webhooks', () => {
  it('answers the intent-to-receive check: 200 for a good signature, 401 for a bad one', async () => {
    const v = vector('intent-to-receive');
    expect((await xero(v.rawBody, v.validSignature)).status).toBe(200);
    expect((await xero(v.rawBody, v.invalidSignature!)).status).toBe(401);
    expect(await database.db.select().from(webhookEvents)).toHaveLength(0);
  });

  it('refuses the same payload re-serialised (the signature is over the raw bytes)', async () => {
    const v = vector('intent-to-receive');
    const pretty = vector('pretty-printed-body-same-object');
    expect((await xero(pretty.rawBody, v.validSignature)).status).toBe(401);
    expect((await xero(pretty.rawBody, pretty.validSignature)).status).toBe(200);
  });

  it('stores a contact update under (org, resource, type, time), enqueues it once and pulls that contact', async () => {
    const v = vector('contact-update');
    expect((await xero(v.rawBody, v.validSignature)).status).toBe(200);
    expect((await xero(v.rawBody, v.validSignature)).status).toBe(200); // redelivery
    const rows = await database.db.select().from(webhookEvents);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      provider: 'xero',
      connectionId: xeroConnectionId,
      dedupeKey:
        'c2cc9b6e-9458-4c7d-93cc-f02b81b0594f:CONTACT:717f2bfc-c6d4-41fd-b238-3f2f0c0cf777:UPDATE:2024-06-21T01:15:39.902Z',
    });
    expect(await countJobs()).toBe(1);
    expect(await drain()).toBe(1);
    expect(xeroCalls).toEqual([
      {
        connectionId: xeroConnectionId,
        resources: [
          {
            category: 'CONTACT',
            resourceId: '717f2bfc-c6d4-41fd-b238-3f2f0c0cf777',
            eventType: 'UPDATE',
            occurredAt: new Date('2024-06-21T01:15:39.902Z'),
          },
        ],
      },
    ]);
  });

  it('keeps an event for an org no connection owns, without processing it', async () => {
    const v = vector('creditnote-create');
    expect((await xero(v.rawBody, v.validSignature)).status).toBe(200);
    await drain();
    expect(xeroCalls).toHaveLength(0);
    const [row] = await database.db.select().from(webhookEvents);
    expect(row).toMatchObject({ status: 'received', connectionId: null });
    expect(row!.lastError).toContain('no xero connection owns org aef86862');
  });

  it('answers 413 to a body over WEBHOOK_MAX_BYTES', async () => {
    const body = JSON.stringify({
      events: [],
      entropy: 'x'.repeat(5000),
      firstEventSequence: 0,
      lastEventSequence: 0,
    });
    const res = await xero(body, hmacSha256(vectors.webhookKey, body, 'base64'));
    expect(res.status).toBe(413);
  });
});

describe('QBO webhooks', () => {
  it('accepts the legacy eventNotifications format and pulls each entity once', async () => {
    const body = readFixture('qbo', 'webhook-legacy-eventnotifications.json');
    expect((await qbo(body)).status).toBe(200);
    const rows = await database.db.select().from(webhookEvents).orderBy(webhookEvents.dedupeKey);
    expect(rows.map((r) => r.dedupeKey)).toEqual([
      '1185883450:Customer:1:Create:2015-10-05T21:42:19.000Z',
      '1185883450:Vendor:1:Create:2015-10-05T21:42:19.000Z',
    ]);
    expect((await qbo(body)).status).toBe(200); // replayed notification
    expect(await database.db.select().from(webhookEvents)).toHaveLength(2);
    expect(await drain()).toBe(1);
    expect(qboCalls).toHaveLength(1);
    expect(qboCalls[0]!.connectionId).toBe(qboConnectionId);
    expect(qboCalls[0]!.changes.map((c) => `${c.entity}:${c.entityId}:${c.operation}`).sort()).toEqual([
      'Customer:1:Create',
      'Vendor:1:Create',
    ]);
    expect(await drain()).toBe(0);
  });

  it('accepts the CloudEvents format, deduplicated on the event id', async () => {
    const body = readFixture('qbo', 'webhook-cloudevents.json');
    expect((await qbo(body)).status).toBe(200);
    expect((await qbo(body)).status).toBe(200);
    const rows = await database.db.select().from(webhookEvents);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      provider: 'qbo',
      dedupeKey: 'ce:88cd52aa-33b6-4351-9aa4-47572edbd068',
      tenantId: '310687',
      resourceType: 'Account',
      resourceId: '1234',
      eventType: 'Create',
    });
  });

  it('refuses a bad intuit-signature with 401 and stores nothing', async () => {
    const body = readFixture('qbo', 'webhook-legacy-blog-2025.json');
    const res = await qbo(body, hmacSha256('another-token', body, 'base64'));
    expect(res.status).toBe(401);
    expect((await qbo(body, '')).status).toBe(401);
    expect(await database.db.select().from(webhookEvents)).toHaveLength(0);
    expect(await countJobs()).toBe(0);
  });

  it('answers 400 to a signed body in neither format', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const res = await qbo(body);
    expect(res.status).toBe(400);
    expect(await database.db.select().from(webhookEvents)).toHaveLength(0);
  });
});
