import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../src/db/repos/api-keys.js';
import { connections, stripePayments, stripeSettlements } from '../../../src/db/schema/index.js';
import { syncStripe } from '../../../src/webhooks/stripe.js';
import { jsonFixture } from '../../support/fixtures.js';
import { API_KEY, createHarness, type Harness, seedPaymentFixtures } from './harness.js';

type Obj = Record<string, unknown> & { id: string };
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
beforeEach(async () => {
  await h.reset();
});
afterAll(async () => {
  await h.close();
});

function seedCharges(n: number) {
  const base = jsonFixture<Obj>('stripe', 'openapi', 'charge.json');
  delete (base as Record<string, unknown>).refunds;
  for (let i = 0; i < n; i++) {
    const id = `ch_pull${String(i).padStart(5, '0')}`;
    const txn = `txn_pull${String(i).padStart(5, '0')}`;
    h.store.balanceTransactions.set(txn, {
      id: txn,
      object: 'balance_transaction',
      amount: 1000 + i,
      fee: 59,
      net: 941 + i,
      currency: 'usd',
      exchange_rate: null,
      type: 'charge',
      reporting_category: 'charge',
      source: id,
      status: 'available',
      created: 1798000000 + i,
      available_on: 1798200000,
      fee_details: [],
      description: null,
    });
    h.store.charges.set(id, {
      ...base,
      id,
      amount: 1000 + i,
      amount_captured: 1000 + i,
      amount_refunded: 0,
      captured: true,
      status: 'succeeded',
      currency: 'usd',
      created: 1798000000 + i,
      balance_transaction: txn,
      payment_intent: null,
      metadata: { invoice_number: `INV-${i}` },
    });
  }
}

describe('Stripe pull', () => {
  it('pages through 250 charges with auto-pagination and takes each once with its settlement', async () => {
    seedCharges(250);
    const r = await syncStripe(h.deps, h.connectionId);
    expect(r.status).toBe('succeeded');
    expect(r.kinds.stripe_payments).toMatchObject({ pulled: 250, inserted: 250, errors: 0 });
    const rows = await h.database.db.select().from(stripePayments);
    expect(rows).toHaveLength(250);
    expect(new Set(rows.map((p) => p.externalId)).size).toBe(250);
    const last = rows.find((p) => p.externalId === 'ch_pull00249')!;
    expect([last.amountMinor, last.settlementFeeMinor, last.settlementNetMinor, last.invoiceNumber]).toEqual([
      1249,
      59,
      1190,
      'INV-249',
    ]);
    const pages = h.store.requests.filter((q) => q.startsWith('GET /v1/charges?'));
    expect(pages).toHaveLength(3);
    expect(pages[1]).toContain('starting_after=ch_pull00150');
  });

  it('pulls nothing new the second time, starting from the newest charge seen', async () => {
    seedCharges(30);
    await syncStripe(h.deps, h.connectionId);
    h.store.requests.length = 0;
    const again = await syncStripe(h.deps, h.connectionId);
    expect(again.kinds.stripe_payments).toMatchObject({ inserted: 0, updated: 0 });
    expect(h.store.requests.filter((q) => q.startsWith('GET /v1/charges?'))).toEqual([
      expect.stringContaining(`created[gte]=${1798000000 + 29}`),
    ]);
  });

  it('catches up through /v1/events: a refund of an old charge is re-fetched and lands', async () => {
    const { charge } = seedPaymentFixtures(h.store);
    await syncStripe(h.deps, h.connectionId);
    let [p] = await h.database.db.select().from(stripePayments);
    expect(p!.state).toBe('partially_refunded');
    // the charge is refunded in full later; the webhook was missed, the event is still listed
    h.store.charges.set(charge.id, { ...charge, amount_refunded: 1099, refunded: true, created: 1700000000 });
    h.store.events.push({
      id: 'evt_missed_refund',
      object: 'event',
      type: 'charge.refunded',
      created: 1799000000,
      data: { object: { id: charge.id, object: 'charge' } },
    });
    await syncStripe(h.deps, h.connectionId);
    [p] = await h.database.db.select().from(stripePayments);
    expect(p).toMatchObject({ state: 'refunded', amountRefundedMinor: 1099 });
  });

  it('settles a paid automatic payout found by the pull', async () => {
    const s = jsonFixture<{ payout: Obj; balance_transactions_for_payout: { data: Obj[] } }>(
      'stripe',
      'scenarios',
      'payout_reconciliation_usd.json',
    );
    h.store.payouts.set(s.payout.id, s.payout);
    for (const b of s.balance_transactions_for_payout.data) h.store.balanceTransactions.set(b.id, b);
    h.store.payoutTxns.set(
      s.payout.id,
      s.balance_transactions_for_payout.data.map((b) => b.id),
    );
    await syncStripe(h.deps, h.connectionId);
    const [st] = await h.database.db.select().from(stripeSettlements);
    expect(st).toMatchObject({
      payoutExternalId: s.payout.id,
      status: 'awaiting_deposit',
      amountMinor: 239927,
    });
  });

  it('adds a Stripe connection over the API with its keys sealed, never echoed', async () => {
    const { key } = await createApiKey(h.database.db, {
      firmId: h.firmId,
      name: `api-${Date.now()}`,
      actor: 'test',
    });
    const res = await h.app.request('/api/v1/connections/stripe', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        apiKey: 'rk_live_51ZyXwVuTsRqPoNmLk',
        webhookSecret: 'whsec_live_secret_abcdefgh',
      }),
    });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain('rk_live_51ZyXwVuTsRqPoNmLk');
    expect(text).not.toContain('whsec_live_secret_abcdefgh');
    const body = JSON.parse(text) as { id: string; webhookUrl: string; keyHint: string; livemode: boolean };
    expect(body).toMatchObject({ keyHint: 'rk_live_…NmLk', livemode: true });
    expect(body.webhookUrl).toBe(`https://lb.example.com/webhooks/stripe/${body.id}`);
    const [row] = await h.database.db.select().from(connections).where(eq(connections.id, body.id));
    expect(row!.provider).toBe('stripe');
    expect(row!.secretCiphertext).toMatch(/^lb1\./);
    expect(row!.secretCiphertext).not.toContain('rk_live');
    const bad = await h.app.request('/api/v1/connections/stripe', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: 'pk_live_publishable', webhookSecret: 'nope' }),
    });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { fields: { path: string }[] };
    expect(problem.fields.map((f) => f.path).sort()).toEqual(['apiKey', 'webhookSecret']);
    expect(API_KEY).toMatch(/^rk_test_/);
  });
});
