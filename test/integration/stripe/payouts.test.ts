import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../../src/db/repos/api-keys.js';
import { createBankAccount } from '../../../src/db/repos/bank.js';
import {
  applications,
  bankLines,
  exceptions,
  invoices,
  reconciliationDecisions,
  stripePayments,
  stripeSettlementLines,
  stripeSettlements,
} from '../../../src/db/schema/index.js';
import { reconcileDeposits } from '../../../src/reconcile/stripe/payouts.js';
import { jsonFixture } from '../../support/fixtures.js';
import { createHarness, eventFor, type Harness, seedPaymentFixtures } from './harness.js';

type Obj = Record<string, unknown> & { id: string };
interface Scenario {
  payout: Obj;
  bank_deposit: { amount_minor: number };
  balance_transactions_for_payout: { data: Obj[] };
  expected_breakdown: Record<string, number>;
}

let h: Harness;
let apiKey: string;
beforeAll(async () => {
  h = await createHarness();
});
beforeEach(async () => {
  await h.reset();
  apiKey = (await createApiKey(h.database.db, { firmId: h.firmId, name: `t${Date.now()}`, actor: 'test' }))
    .key;
});
afterAll(async () => {
  await h.close();
});

const scenario = () => jsonFixture<Scenario>('stripe', 'scenarios', 'payout_reconciliation_usd.json');

function charge(
  id: string,
  amount: number,
  invoiceNumber: string,
  txn: string,
  extra: Record<string, unknown> = {},
): Obj {
  const base = jsonFixture<Obj>('stripe', 'openapi', 'charge.json');
  delete (base as Record<string, unknown>).refunds;
  return {
    ...base,
    id,
    amount,
    amount_captured: amount,
    amount_refunded: 0,
    captured: true,
    paid: true,
    status: 'succeeded',
    refunded: false,
    currency: 'usd',
    metadata: { invoice_number: invoiceNumber },
    balance_transaction: txn,
    payment_intent: null,
    created: 1798650000,
    ...extra,
  };
}

async function invoice(number: string, totalMinor: number, currency = 'USD') {
  await h.database.db.insert(invoices).values({
    firmId: h.firmId,
    connectionId: h.connectionId,
    externalId: `ext-${number}`,
    raw: {},
    contentHash: number,
    number,
    status: 'authorised',
    issueDate: '2026-12-20',
    currency,
    taxMode: 'none',
    subtotalMinor: totalMinor,
    taxMinor: 0,
    totalMinor,
    currencyRate: '1',
    baseTotalMinor: totalMinor,
  });
}

/** The scenario's payout, its balance transactions and the objects they settle, in the Stripe store. */
async function seedPayoutScenario(payoutOverrides: Record<string, unknown> = {}) {
  const s = scenario();
  seedPaymentFixtures(h.store);
  const payout = { ...s.payout, ...payoutOverrides } as Obj;
  h.store.payouts.set(payout.id, payout);
  for (const b of s.balance_transactions_for_payout.data) h.store.balanceTransactions.set(b.id, b);
  h.store.payoutTxns.set(
    payout.id,
    s.balance_transactions_for_payout.data.map((b) => b.id),
  );
  h.store.charges.set(
    'ch_3PgbB1B7WZ01zgkW1retain2',
    charge('ch_3PgbB1B7WZ01zgkW1retain2', 250000, 'INV-1002', 'txn_3PgbB1B7WZ01zgkWcharge02'),
  );
  h.store.charges.set(
    'ch_3PgbC2B7WZ01zgkW1filing3',
    charge('ch_3PgbC2B7WZ01zgkW1filing3', 45000, 'INV-1003', 'txn_3PgbC2B7WZ01zgkWcharge03', {
      disputed: true,
    }),
  );
  const disputeTxn = s.balance_transactions_for_payout.data.find((b) => b.reporting_category === 'dispute')!;
  h.store.disputes.set('dp_1Pgc71B7WZ01zgkWMevJiAUx', {
    ...jsonFixture<Obj>('stripe', 'openapi', 'dispute.json'),
    id: 'dp_1Pgc71B7WZ01zgkWMevJiAUx',
    charge: 'ch_3PgbC2B7WZ01zgkW1filing3',
    amount: 45000,
    status: 'needs_response',
    balance_transactions: [disputeTxn],
  });
  await invoice('INV-1001', 1099);
  await invoice('INV-1002', 250000);
  await invoice('INV-1003', 45000);
  const account = await createBankAccount(h.database.db, {
    firmId: h.firmId,
    name: `Operating ${Date.now()}`,
    currency: 'USD',
  });
  return { s, payout, account };
}

async function bankLine(accountId: string, amountMinor: number, bookingDate: string) {
  const [row] = await h.database.db
    .insert(bankLines)
    .values({
      firmId: h.firmId,
      bankAccountId: accountId,
      dedupeKey: `line-${amountMinor}-${bookingDate}`,
      bookingDate,
      amountMinor,
      currency: 'USD',
      remittance: 'STRIPE PAYOUT',
      raw: {},
    })
    .returning();
  return row!;
}

const payoutEvent = (type: string, payout: Obj, id: string) => JSON.stringify(eventFor(type, payout, id));

describe('Stripe payouts', () => {
  it('reconciles the payout scenario to the cent against its bank line', async () => {
    const { s, payout, account } = await seedPayoutScenario();
    const line = await bankLine(account.id, s.bank_deposit.amount_minor, '2027-01-05');
    expect((await h.deliver(payoutEvent('payout.paid', payout, 'evt_1Pgc7BB7WZ01zgkWpopaid01'))).status).toBe(
      200,
    );
    await h.drain();

    const [st] = await h.database.db.select().from(stripeSettlements);
    expect(st).toMatchObject({
      status: 'reconciled',
      bankLineId: line.id,
      amountMinor: 239927,
      currency: 'USD',
    });
    const e = s.expected_breakdown;
    expect(st!.breakdown).toMatchObject({
      payoutAmountMinor: e.payout_amount,
      chargeGrossMinor: e.charge_gross,
      chargeFeesMinor: e.charge_fees,
      refundsMinor: e.refunds,
      disputesMinor: e.dispute_withdrawals,
      disputeFeesMinor: e.dispute_fees,
      otherStripeFeesMinor: e.other_stripe_fees,
      feePostingMinor: -(8677 + 1500) - 495,
      netTotalMinor: 239927,
      differenceMinor: 0,
    });
    const lines = await h.database.db.select().from(stripeSettlementLines);
    expect(lines.reduce((t, l) => t + l.amountMinor, 0)).toBe(239927);
    const byKind = (k: string) => lines.filter((l) => l.kind === k).reduce((t, l) => t + l.amountMinor, 0);
    expect([byKind('charge'), byKind('refund'), byKind('dispute'), byKind('fee')]).toEqual([
      296099, -500, -45000, -10672,
    ]);

    const apps = await h.database.db
      .select({
        key: applications.key,
        inv: applications.invoiceExternalId,
        amt: applications.amountMinor,
        st: applications.status,
      })
      .from(applications)
      .orderBy(applications.key);
    expect(apps).toEqual([
      { key: 'stripe_charge:ch_1PgafuB7WZ01zgkWXYmPNZs8', inv: 'ext-INV-1001', amt: 1099, st: 'active' },
      { key: 'stripe_charge:ch_3PgbB1B7WZ01zgkW1retain2', inv: 'ext-INV-1002', amt: 250000, st: 'active' },
      { key: 'stripe_charge:ch_3PgbC2B7WZ01zgkW1filing3', inv: 'ext-INV-1003', amt: 45000, st: 'active' },
      { key: 'stripe_refund:re_1Pgc72B7WZ01zgkWqPvrRrPE', inv: 'ext-INV-1001', amt: -500, st: 'active' },
    ]);
    const [decision] = await h.database.db
      .select()
      .from(reconciliationDecisions)
      .where(eq(reconciliationDecisions.subjectId, line.id));
    expect(decision).toMatchObject({ method: 'stripe_payout', outcome: 'reconciled', confidence: 1000 });
    // the dispute in the payout marks its invoice disputed; nothing unexplained is left
    const [inv3] = await h.database.db.select().from(invoices).where(eq(invoices.number, 'INV-1003'));
    expect(inv3!.disputed).toBe(true);
    expect(
      await h.database.db.select().from(exceptions).where(eq(exceptions.kind, 'payout_mismatch')),
    ).toHaveLength(0);
    // one explosion through balance_transactions?payout=, sources expanded
    expect(h.store.requests.filter((r) => r.startsWith('GET /v1/balance_transactions'))).toEqual([
      `GET /v1/balance_transactions?payout=${payout.id}&limit=100&expand[0]=data.source`,
    ]);

    // the API shows the breakdown
    const res = await h.app.request('/api/v1/payouts', { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      items: {
        payoutId: string;
        settlement: { status: string; breakdown: Record<string, number>; lines: unknown[] };
      }[];
      nextCursor: string | null;
    };
    expect(body.items).toHaveLength(1);
    expect(body.items[0]!.payoutId).toBe(payout.id);
    expect(body.items[0]!.settlement.status).toBe('reconciled');
    expect(body.items[0]!.settlement.breakdown.feePostingMinor).toBe(-10672);
    expect(body.items[0]!.settlement.lines).toHaveLength(lines.length);
    expect(body.nextCursor).toBeNull();
  });

  it('waits for the bank line: payout.paid alone reconciles nothing', async () => {
    const { s, payout, account } = await seedPayoutScenario();
    await h.deliver(payoutEvent('payout.paid', payout, 'evt_paid_nobank01'));
    await h.drain();
    let [st] = await h.database.db.select().from(stripeSettlements);
    expect(st).toMatchObject({ status: 'awaiting_deposit', bankLineId: null });
    expect(await h.database.db.select().from(applications)).toHaveLength(0);

    const line = await bankLine(account.id, s.bank_deposit.amount_minor, '2027-01-04');
    expect(await reconcileDeposits(h.database.db, h.firmId)).toEqual([st!.id]);
    [st] = await h.database.db.select().from(stripeSettlements);
    expect(st).toMatchObject({ status: 'reconciled', bankLineId: line.id });
    expect(await h.database.db.select().from(applications)).toHaveLength(4);
    // running it again changes nothing
    expect(await reconcileDeposits(h.database.db, h.firmId)).toEqual([]);
  });

  it('reverses the settlement of a payout that is paid and then fails', async () => {
    const { s, payout, account } = await seedPayoutScenario();
    await bankLine(account.id, s.bank_deposit.amount_minor, '2027-01-05');
    await h.deliver(payoutEvent('payout.paid', payout, 'evt_paid_then_fail1'));
    await h.drain();
    const failed = { ...payout, status: 'failed', failure_code: 'account_closed' };
    h.store.payouts.set(payout.id, failed);
    await h.deliver(payoutEvent('payout.failed', failed, 'evt_paid_then_fail2'));
    await h.drain();
    const [st] = await h.database.db.select().from(stripeSettlements);
    expect(st!.status).toBe('reversed');
    const apps = await h.database.db.select({ st: applications.status }).from(applications);
    expect(apps.map((a) => a.st)).toEqual(['reversed', 'reversed', 'reversed', 'reversed']);
    const ex = await h.database.db.select().from(exceptions).where(eq(exceptions.kind, 'payout_mismatch'));
    expect(ex).toHaveLength(1);
    expect(ex[0]!.reason).toContain('account_closed');
  });

  it('turns a manual payout into a payout_manual exception without asking for its transactions', async () => {
    const { payout } = await seedPayoutScenario({ automatic: false });
    await h.deliver(payoutEvent('payout.paid', payout, 'evt_manual_paid01'));
    await h.drain();
    expect(await h.database.db.select().from(stripeSettlements)).toHaveLength(0);
    const ex = await h.database.db
      .select()
      .from(exceptions)
      .where(and(eq(exceptions.kind, 'payout_manual'), eq(exceptions.subjectId, payout.id)));
    expect(ex).toHaveLength(1);
    expect(h.store.requests.some((r) => r.startsWith('GET /v1/balance_transactions'))).toBe(false);
  });

  it('keeps both amounts of a JPY charge settled in USD exact', async () => {
    const fx = jsonFixture<{ charge: Obj; balance_transaction: Obj }>(
      'stripe',
      'scenarios',
      'fx_charge_jpy_settled_usd.json',
    );
    h.store.charges.set(fx.charge.id, fx.charge);
    h.store.balanceTransactions.set(fx.balance_transaction.id, fx.balance_transaction);
    await h.deliver(JSON.stringify(eventFor('charge.succeeded', fx.charge, 'evt_jpy_charge01')));
    await h.drain();
    const [p] = await h.database.db.select().from(stripePayments);
    expect(p).toMatchObject({
      amountMinor: 15000,
      currency: 'JPY',
      settlementAmountMinor: 10050,
      settlementFeeMinor: 472,
      settlementNetMinor: 9578,
      settlementCurrency: 'USD',
      exchangeRate: '0.0067',
    });
    const res = await h.app.request('/api/v1/payments', { headers: { authorization: `Bearer ${apiKey}` } });
    const body = (await res.json()) as { items: { amount: unknown; settlement: unknown }[] };
    expect(body.items[0]).toMatchObject({
      amount: { amountMinor: 15000, currency: 'JPY' },
      settlement: {
        amountMinor: 10050,
        feeMinor: 472,
        netMinor: 9578,
        currency: 'USD',
        exchangeRate: '0.0067',
      },
    });
  });

  it('pages GET /api/v1/payments newest first with a cursor', async () => {
    for (let i = 0; i < 3; i++) {
      const id = `ch_page${i}AAAAAAAAAAAA`;
      h.store.charges.set(
        id,
        charge(id, 1000 + i, `INV-9${i}`, `txn_none_${i}`, {
          created: 1798600000 + i,
          balance_transaction: null,
        }),
      );
      await h.deliver(
        JSON.stringify(eventFor('charge.succeeded', h.store.charges.get(id)!, `evt_page_${i}`)),
      );
    }
    await h.drain();
    const get = (q: string) =>
      Promise.resolve(
        h.app.request(`/api/v1/payments${q}`, { headers: { authorization: `Bearer ${apiKey}` } }),
      ).then((r) => r.json() as Promise<{ items: { chargeId: string }[]; nextCursor: string | null }>);
    const first = await get('?limit=2');
    expect(first.items.map((i) => i.chargeId)).toEqual(['ch_page2AAAAAAAAAAAA', 'ch_page1AAAAAAAAAAAA']);
    const second = await get(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.chargeId)).toEqual(['ch_page0AAAAAAAAAAAA']);
    expect(second.nextCursor).toBeNull();
  });
});
