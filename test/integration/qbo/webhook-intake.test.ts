import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';
import { createQboConnector } from '../../../src/connectors/qbo/connector.js';
import '../../../src/providers/qbo/books.js';
import { createQboReplay } from '../../../src/connectors/qbo/replay.js';
import type { Database } from '../../../src/db/client.js';
import { contacts } from '../../../src/db/schema/index.js';
import { createApp } from '../../../src/http/app.js';
import type { AppDeps } from '../../../src/http/deps.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { hmacSha256 } from '../../../src/lib/hash.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import { processWebhookJob } from '../../../src/webhooks/process.js';
import { createTestDatabase } from '../../support/db.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';
import { dataset, meta, REALM, seedConnection, TOKEN } from './helpers.js';

const VERIFIER = 'qbo-verifier-token-for-the-qbo-tests';
let database: Database;
let deps: AppDeps;
let queue: ReturnType<typeof createPostgresQueue>;

beforeAll(async () => {
  database = await createTestDatabase();
  queue = createPostgresQueue(database.db);
  const clock = fixedClock('2026-12-03T10:00:00Z');
  deps = {
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', QBO_WEBHOOK_VERIFIER_TOKEN: VERIFIER }),
    database,
    db: database.db,
    logger: silentLogger,
    clock,
    queue,
    services: {
      qbo: {
        connector: createQboConnector({ environment: 'production', clock }),
        accessToken: () => async () => TOKEN,
      },
    },
  };
});
afterAll(async () => database.close());

/** Intuit's legacy notification, for our realm and a customer change. */
function notification(lastUpdated: string): string {
  const n = jsonFixture<{
    eventNotifications: { realmId: string; dataChangeEvent: { entities: Record<string, string>[] } }[];
  }>('qbo', 'webhook-legacy-eventnotifications.json');
  const ev = n.eventNotifications[0]!;
  ev.realmId = REALM;
  ev.dataChangeEvent.entities = [{ name: 'Customer', id: '1', operation: 'Update', lastUpdated }];
  return JSON.stringify(n);
}

async function deliver(body: string, signature = hmacSha256(VERIFIER, body, 'base64')) {
  const res = await createApp(deps).request('/webhooks/qbo', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'intuit-signature': signature },
    body,
  });
  const jobs = await queue.receive(10, 30);
  for (const j of jobs) {
    await processWebhookJob(deps, j.payload);
    await queue.ack(j);
  }
  return { status: res.status, jobs: jobs.length };
}

describe('QBO webhook → targeted pull', () => {
  it('verifies the signature, pulls the customer once, and does not pull a replayed notification again', async () => {
    const ctx = await seedConnection(database.db, 'Intake LLP');
    const replay = createQboReplay(
      dataset({
        Customer: [
          {
            Id: '1',
            DisplayName: "Amy's Bird Sanctuary",
            Active: true,
            MetaData: meta('2026-12-03T01:55:00-08:00'),
          },
        ],
      }),
    );
    server.use(...replay.handlers);
    const customerQueries = () =>
      replay.served.filter(
        (s) => s.path === 'query' && s.search.get('query')?.includes("from customer where Id IN ('1')"),
      ).length;

    const bad = await deliver(notification('2026-12-03T01:55:00-0800'), 'bm90IHRoZSBzaWduYXR1cmU=');
    expect(bad).toEqual({ status: 401, jobs: 0 });
    expect(customerQueries()).toBe(0);

    const body = notification('2026-12-03T01:55:00-0800');
    const first = await deliver(body);
    expect(first.status).toBe(200);
    expect(first.jobs).toBe(1);
    expect(customerQueries()).toBe(1);
    const rows = await database.db
      .select({ e: contacts.externalId, n: contacts.name })
      .from(contacts)
      .where(eq(contacts.firmId, ctx.firmId));
    expect(rows).toEqual([{ e: '1', n: "Amy's Bird Sanctuary" }]);

    // the same notification delivered again: no second pull
    await deliver(body);
    expect(customerQueries()).toBe(1);
    // a different notice about the same, unchanged, customer state: still no second pull
    await deliver(notification('2026-12-03T01:54:00-0800'));
    expect(customerQueries()).toBe(1);
    // a newer change is pulled
    replay.dataset.entities.Customer![0] = {
      Id: '1',
      DisplayName: "Amy's Bird Sanctuary Ltd",
      Active: true,
      MetaData: meta('2026-12-03T02:10:00-08:00'),
    };
    await deliver(notification('2026-12-03T02:10:00-0800'));
    expect(customerQueries()).toBe(2);
    const [after] = await database.db
      .select({ n: contacts.name })
      .from(contacts)
      .where(eq(contacts.firmId, ctx.firmId));
    expect(after).toEqual({ n: "Amy's Bird Sanctuary Ltd" });
  });
});
