import { sql } from 'drizzle-orm';
import { HttpResponse, http } from 'msw';
import { loadConfig } from '../../../src/config/env.js';
import { signStripePayload } from '../../../src/connectors/stripe/webhooks.js';
import type { Database } from '../../../src/db/client.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import { createApp } from '../../../src/http/app.js';
import type { AppDeps } from '../../../src/http/deps.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { generateKeyEntry } from '../../../src/lib/crypto.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import { processWebhookJob } from '../../../src/webhooks/process.js';
import { addStripeConnection } from '../../../src/webhooks/stripe-connections.js';
import '../../../src/webhooks/stripe.js';
import { createTestDatabase } from '../../support/db.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';

/**
 * A Stripe test bench: a fresh database, the real app (createApp) with the Postgres queue, one firm with
 * a Stripe connection, and msw serving api.stripe.com from a mutable object store built from
 * test/fixtures/stripe. `deliver` signs like Stripe; `drain` runs the queued webhook jobs.
 */
export const WEBHOOK_SECRET = 'whsec_test_0123456789abcdefghij';
export const API_KEY = 'rk_test_51AbCdEfGhIjKlMnOpQrStUv';
export const NOW_ISO = '2027-01-04T12:00:00.000Z';

type Obj = Record<string, unknown> & { id: string };

export interface StripeStore {
  charges: Map<string, Obj>;
  paymentIntents: Map<string, Obj>;
  refunds: Map<string, Obj>;
  disputes: Map<string, Obj>;
  payouts: Map<string, Obj>;
  balanceTransactions: Map<string, Obj>;
  /** payout id → its balance transaction ids (what balance_transactions?payout= lists). */
  payoutTxns: Map<string, string[]>;
  /** What GET /v1/events lists. */
  events: Obj[];
  /** Every request Stripe received: method + path + query. */
  requests: string[];
}

export function emptyStore(): StripeStore {
  return {
    charges: new Map(),
    paymentIntents: new Map(),
    refunds: new Map(),
    disputes: new Map(),
    payouts: new Map(),
    balanceTransactions: new Map(),
    payoutTxns: new Map(),
    events: [],
    requests: [],
  };
}

const clone = <T>(v: T): T => structuredClone(v);

function expands(url: URL): string[] {
  const out: string[] = [];
  for (const [k, v] of url.searchParams) if (k.startsWith('expand')) out.push(v);
  return out;
}

const missing = (id: string) =>
  HttpResponse.json(
    {
      error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such object: '${id}'` },
    },
    { status: 404 },
  );

function byPrefix(store: StripeStore, id: string): Obj | undefined {
  if (id.startsWith('ch_') || id.startsWith('py_')) return store.charges.get(id);
  if (id.startsWith('re_')) return store.refunds.get(id);
  if (id.startsWith('dp_')) return store.disputes.get(id);
  if (id.startsWith('po_')) return store.payouts.get(id);
  return undefined;
}

function expandCharge(store: StripeStore, c: Obj, ex: string[], prefix = ''): Obj {
  const out = clone(c);
  if (ex.includes(`${prefix}balance_transaction`) && typeof out.balance_transaction === 'string') {
    out.balance_transaction =
      store.balanceTransactions.get(out.balance_transaction) ?? out.balance_transaction;
  }
  if (ex.includes(`${prefix}payment_intent`) && typeof out.payment_intent === 'string') {
    out.payment_intent = store.paymentIntents.get(out.payment_intent) ?? out.payment_intent;
  }
  return out;
}

/** msw handlers for the Stripe endpoints the connector calls, served from `store`. */
export function stripeHandlers(store: StripeStore) {
  const base = 'https://api.stripe.com/v1';
  const log = (req: Request) => {
    const u = new URL(req.url);
    store.requests.push(`${req.method} ${u.pathname}${u.search}`);
  };
  /** Stripe list semantics: newest first, created[gte], starting_after, limit (default 10, max 100). */
  const list = (request: Request, all: Obj[], map: (o: Obj, ex: string[]) => Obj = (o) => o) => {
    const url = new URL(request.url);
    const gte = Number(url.searchParams.get('created[gte]') ?? '0');
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? '10'));
    const after = url.searchParams.get('starting_after');
    const sorted = all
      .filter((o) => Number(o.created) >= gte)
      .sort((a, b) => Number(b.created) - Number(a.created) || (a.id < b.id ? 1 : -1));
    const start = after ? sorted.findIndex((o) => o.id === after) + 1 : 0;
    const page = sorted.slice(start, start + limit);
    const ex = expands(url);
    return HttpResponse.json({
      object: 'list',
      url: url.pathname,
      has_more: start + limit < sorted.length,
      data: page.map((o) => map(o, ex)),
    });
  };
  return [
    http.get(`${base}/charges`, ({ request }) => {
      log(request);
      return list(request, [...store.charges.values()], (c, ex) => expandCharge(store, c, ex, 'data.'));
    }),
    http.get(`${base}/disputes`, ({ request }) => {
      log(request);
      return list(request, [...store.disputes.values()]);
    }),
    http.get(`${base}/payouts`, ({ request }) => {
      log(request);
      return list(request, [...store.payouts.values()]);
    }),
    http.get(`${base}/events`, ({ request }) => {
      log(request);
      return list(request, store.events);
    }),
    http.get(`${base}/charges/:id`, ({ request, params }) => {
      log(request);
      const c = store.charges.get(String(params.id));
      if (!c) return missing(String(params.id));
      return HttpResponse.json(expandCharge(store, c, expands(new URL(request.url))));
    }),
    http.get(`${base}/payment_intents/:id`, ({ request, params }) => {
      log(request);
      const pi = store.paymentIntents.get(String(params.id));
      if (!pi) return missing(String(params.id));
      const ex = expands(new URL(request.url));
      const out = clone(pi);
      if (ex.includes('latest_charge') && typeof out.latest_charge === 'string') {
        const c = store.charges.get(out.latest_charge);
        if (c) out.latest_charge = expandCharge(store, c, ex, 'latest_charge.');
      }
      return HttpResponse.json(out);
    }),
    http.get(`${base}/refunds/:id`, ({ request, params }) => {
      log(request);
      const r = store.refunds.get(String(params.id));
      return r ? HttpResponse.json(r) : missing(String(params.id));
    }),
    http.get(`${base}/refunds`, ({ request }) => {
      log(request);
      const charge = new URL(request.url).searchParams.get('charge');
      return list(
        request,
        [...store.refunds.values()].filter((r) => !charge || r.charge === charge),
      );
    }),
    http.get(`${base}/disputes/:id`, ({ request, params }) => {
      log(request);
      const d = store.disputes.get(String(params.id));
      if (!d) return missing(String(params.id));
      const ex = expands(new URL(request.url));
      const out = clone(d);
      if (ex.includes('charge') && typeof out.charge === 'string') {
        const c = store.charges.get(out.charge);
        if (c) out.charge = expandCharge(store, c, ex, 'charge.');
      }
      return HttpResponse.json(out);
    }),
    http.get(`${base}/payouts/:id`, ({ request, params }) => {
      log(request);
      const p = store.payouts.get(String(params.id));
      return p ? HttpResponse.json(p) : missing(String(params.id));
    }),
    http.get(`${base}/balance_transactions`, ({ request }) => {
      log(request);
      const url = new URL(request.url);
      const payout = url.searchParams.get('payout') ?? '';
      const p = store.payouts.get(payout);
      if (!p) return missing(payout);
      if (p.automatic === false) {
        return HttpResponse.json(
          {
            error: {
              type: 'invalid_request_error',
              message: 'Balance transaction history can only be filtered on automatic transfers, not manual.',
            },
          },
          { status: 400 },
        );
      }
      const ex = expands(url);
      const data = (store.payoutTxns.get(payout) ?? []).map((id) => {
        const b = clone(store.balanceTransactions.get(id)!);
        if (ex.includes('data.source') && typeof b.source === 'string')
          b.source = clone(byPrefix(store, b.source) ?? b.source);
        return b;
      });
      return HttpResponse.json({ object: 'list', url: '/v1/balance_transactions', has_more: false, data });
    }),
  ];
}

/** The event envelope of the fixtures around any object. */
export function eventFor(
  type: string,
  object: Obj,
  id: string,
  created = Math.floor(Date.parse(NOW_ISO) / 1000) - 60,
) {
  const envelope = jsonFixture<Record<string, unknown>>('stripe', 'events', 'payment_intent.succeeded.json');
  return { ...envelope, id, type, created, data: { object } };
}

export interface Harness {
  database: Database;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  firmId: string;
  connectionId: string;
  store: StripeStore;
  clock: ReturnType<typeof fixedClock>;
  /** POST a body to the connection's webhook URL, signed (by default with the right secret, now). */
  deliver(body: string, opts?: { secret?: string; signedAt?: number; sendBody?: string }): Promise<Response>;
  /** Run every queued job; returns how many jobs ran. */
  drain(): Promise<number>;
  /** Between tests of one file: empty the Stripe store and the tables the tests write, re-install msw. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const RESET_TABLES = [
  'webhook_events',
  'jobs',
  'stripe_settlement_lines',
  'stripe_settlements',
  'stripe_payments',
  'stripe_refunds',
  'stripe_disputes',
  'stripe_payouts',
  'stripe_balance_transactions',
  'applications',
  'reconciliation_decisions',
  'exceptions',
  'bank_lines',
  'invoices',
  'sync_cursors',
  'sync_errors',
  'sync_runs',
];

export async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TOKEN_ENCRYPTION_KEYS: generateKeyEntry('t1'),
    PUBLIC_BASE_URL: 'https://lb.example.com',
    ...env,
  });
  const clock = fixedClock(NOW_ISO);
  const queue = createPostgresQueue(database.db);
  const deps: AppDeps = { config, database, db: database.db, logger: silentLogger, clock, queue };
  const firm = await createFirm(database.db, {
    name: 'Rosen & Co',
    baseCurrency: 'USD',
    timezone: 'America/New_York',
  });
  const conn = await addStripeConnection(deps, {
    firmId: firm.id,
    apiKey: API_KEY,
    webhookSecret: WEBHOOK_SECRET,
    actor: 'test',
  });
  const store = emptyStore();
  server.use(...stripeHandlers(store));
  const app = createApp(deps);
  return {
    database,
    deps,
    app,
    firmId: firm.id,
    connectionId: conn.id,
    store,
    clock,
    deliver: async (body, opts = {}) => {
      const t = opts.signedAt ?? Math.floor(clock.now().getTime() / 1000);
      const sig = signStripePayload(body, opts.secret ?? WEBHOOK_SECRET, t);
      return app.request(`/webhooks/stripe/${conn.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': sig },
        body: opts.sendBody ?? body,
      });
    },
    drain: async () => {
      let ran = 0;
      for (;;) {
        const jobs = await queue.receive(10, 60);
        if (jobs.length === 0) return ran;
        for (const j of jobs) {
          await processWebhookJob(deps, j.payload);
          await queue.ack(j);
          ran += 1;
        }
      }
    },
    reset: async () => {
      await database.db.execute(sql.raw(`truncate ${RESET_TABLES.join(', ')} cascade`));
      const fresh = emptyStore();
      Object.assign(store, fresh);
      server.use(...stripeHandlers(store));
      clock.set(NOW_ISO);
    },
    close: () => database.close(),
  };
}

/** The objects of the fixtures, coherent with each other (charge ↔ payment intent ↔ balance transaction). */
export function seedPaymentFixtures(store: StripeStore): { charge: Obj; pi: Obj; refund: Obj } {
  const charge = clone(
    jsonFixture<{ data: { object: Obj } }>('stripe', 'events', 'charge.refunded.json').data.object,
  );
  const pi = clone(
    jsonFixture<{ data: { object: Obj } }>('stripe', 'events', 'payment_intent.succeeded.json').data.object,
  );
  const scenario = jsonFixture<{ balance_transactions_for_payout: { data: Obj[] } }>(
    'stripe',
    'scenarios',
    'payout_reconciliation_usd.json',
  );
  const txn = scenario.balance_transactions_for_payout.data.find((b) => b.source === charge.id)!;
  const refundTxn = scenario.balance_transactions_for_payout.data.find((b) => b.type === 'refund')!;
  const refund = {
    ...clone(jsonFixture<Obj>('stripe', 'openapi', 'refund.json')),
    id: String(refundTxn.source),
    amount: 500,
    charge: charge.id,
    payment_intent: pi.id,
    balance_transaction: refundTxn.id,
    status: 'succeeded',
  };
  store.charges.set(charge.id, charge);
  store.paymentIntents.set(pi.id, pi);
  store.balanceTransactions.set(txn.id, txn);
  store.balanceTransactions.set(refundTxn.id, refundTxn);
  store.refunds.set(refund.id, refund);
  return { charge, pi, refund };
}
