import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import postgres from 'postgres';
import { loadConfig } from '../src/config/env.js';
import { signStripePayload } from '../src/connectors/stripe/webhooks.js';
import { type Database, openDatabase } from '../src/db/client.js';
import { migrate, rowsOf } from '../src/db/migrate.js';
import { createFirm } from '../src/db/repos/firms.js';
import type { AppDeps } from '../src/http/deps.js';
import { startHttpServer } from '../src/http/server.js';
import { systemClock } from '../src/lib/clock.js';
import { generateKeyEntry } from '../src/lib/crypto.js';
import { silentLogger } from '../src/lib/logger.js';
import { createPostgresQueue } from '../src/queue/postgres.js';
import { addStripeConnection } from '../src/webhooks/stripe-connections.js';

/**
 * Webhook intake: signed Stripe events per second through the real HTTP server (raw-body signature check
 * with the stripe package, one insert into webhook_events, one job into the Postgres queue, the 200) —
 * against a bare hono handler answering 200 on the same machine in the same run. Every event is distinct
 * (its own id), so each request stores and enqueues. autocannon drives both with the same settings.
 */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const SECRET = 'whsec_bench_0123456789abcdefghij';

export interface WebhookBenchResult {
  database: string;
  baselinePerSec: number;
  intakePerSec: number;
  ratio: number;
  intakeP99Ms: number;
  stored: number;
  meanBatch: number;
}

function signedEvents(n: number): { body: string; signature: string }[] {
  const now = Math.floor(Date.now() / 1000);
  const out: { body: string; signature: string }[] = [];
  for (let i = 0; i < n; i++) {
    const id = `evt_bench_${i.toString(36).padStart(8, '0')}`;
    const body = JSON.stringify({
      id,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: now,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'payment_intent.succeeded',
      data: {
        object: {
          id: `pi_bench_${i}`,
          object: 'payment_intent',
          amount: 1099 + (i % 100),
          currency: 'usd',
          status: 'succeeded',
          latest_charge: `ch_bench_${i}`,
          metadata: { invoice_number: `INV-${i}` },
        },
      },
    });
    out.push({ body, signature: signStripePayload(body, SECRET, now) });
  }
  return out;
}

async function fire(url: string, events: { body: string; signature: string }[], seconds: number) {
  let i = 0;
  return autocannon({
    url,
    method: 'POST',
    connections: 16,
    pipelining: 1,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const e = events[i++ % events.length]!;
          return {
            ...req,
            body: e.body,
            headers: { 'content-type': 'application/json', 'stripe-signature': e.signature },
          };
        },
      },
    ],
  });
}

export async function benchWebhookIntake(opts: { databaseUrl?: string | undefined; seconds?: number } = {}) {
  const seconds = opts.seconds ?? Number(process.env.BENCH_WEBHOOK_SECONDS ?? 8);
  let database: Database;
  let dropSchema: (() => Promise<void>) | null = null;
  if (opts.databaseUrl) {
    const schema = `bench_wh_${randomBytes(4).toString('hex')}`;
    const admin = postgres(opts.databaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create schema "${schema}"`);
    await admin.end();
    database = await openDatabase({ databaseUrl: opts.databaseUrl, schema, maxConnections: 16 });
    dropSchema = async () => {
      const a = postgres(opts.databaseUrl!, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop schema if exists "${schema}" cascade`);
      await a.end();
    };
  } else {
    database = await openDatabase({});
  }
  await migrate(database.db);
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    TOKEN_ENCRYPTION_KEYS: generateKeyEntry('b1'),
  });
  const deps: AppDeps = {
    config,
    database,
    db: database.db,
    logger: silentLogger,
    clock: systemClock,
    queue: createPostgresQueue(database.db),
  };
  const firm = await createFirm(database.db, { name: 'Bench Firm', baseCurrency: 'USD', timezone: 'UTC' });
  const conn = await addStripeConnection(deps, {
    firmId: firm.id,
    apiKey: 'rk_test_benchbenchbenchbench',
    webhookSecret: SECRET,
    actor: 'bench',
  });
  const events = signedEvents(Math.max(20_000, seconds * 4_000));

  const bare = new Hono();
  bare.post('/webhooks/stripe/:id', (c) => c.json({ received: true }, 200));
  const bareServer = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const barePort = (bareServer.address() as { port: number }).port;
  const app = await startHttpServer(deps, 0, '127.0.0.1');
  try {
    // warm both up (JIT, connection pools), then measure
    await fire(`http://127.0.0.1:${barePort}/webhooks/stripe/${conn.id}`, events.slice(0, 500), 1);
    await fire(`http://127.0.0.1:${app.port}/webhooks/stripe/${conn.id}`, events.slice(0, 500), 1);
    const base = await fire(
      `http://127.0.0.1:${barePort}/webhooks/stripe/${conn.id}`,
      events.slice(500),
      seconds,
    );
    const intake = await fire(
      `http://127.0.0.1:${app.port}/webhooks/stripe/${conn.id}`,
      events.slice(500),
      seconds,
    );
    if (intake.non2xx > 0 || intake.errors > 0) {
      throw new Error(`webhook bench: ${intake.non2xx} non-2xx answers, ${intake.errors} errors`);
    }
    const count = async (table: string) =>
      Number(
        rowsOf<{ n: number }>(
          await database.db.execute(sql.raw(`select count(*)::int as n from ${table}`)),
        )[0]?.n ?? 0,
      );
    const stored = await count('webhook_events');
    // one job per connection per write: events per job is the mean group-commit batch
    const meanBatch = stored / Math.max(1, await count('jobs'));
    return {
      database: database.kind === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL server',
      baselinePerSec: base.requests.average,
      intakePerSec: intake.requests.average,
      ratio: intake.requests.average / base.requests.average,
      intakeP99Ms: intake.latency.p99,
      stored,
      meanBatch,
    } satisfies WebhookBenchResult;
  } finally {
    await app.close();
    await new Promise<void>((r) => bareServer.close(() => r()));
    await database.close();
    if (dropSchema) await dropSchema();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Called by bench/run.ts: prints both rates and the ratio for each database. */
export async function runWebhookBench(): Promise<void> {
  const targets: (string | undefined)[] = [undefined];
  if (process.env.TEST_DATABASE_URL) targets.push(process.env.TEST_DATABASE_URL);
  console.log('webhook intake: signed Stripe events through the real HTTP server (verify + store + enqueue)');
  for (const url of targets) {
    const r = await benchWebhookIntake({ databaseUrl: url });
    console.log(
      `  ${r.database.padEnd(20)} baseline bare hono 200 ${fmt(r.baselinePerSec)} req/s | intake ${fmt(r.intakePerSec)} events/s (ratio ${r.ratio.toFixed(2)}, p99 ${r.intakeP99Ms} ms, ${fmt(r.stored)} stored, ${r.meanBatch.toFixed(1)} events per write)`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runWebhookBench().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
