import { describe, expect, it } from 'vitest';
import { disputeOutcome, invoiceRefFrom, mapCharge, mapPayout } from '../../../src/connectors/stripe/map.js';
import { WireBalanceTransaction, WireCharge, WirePayout } from '../../../src/connectors/stripe/wire.js';
import { jsonFixture } from '../../support/fixtures.js';

describe('Stripe mapping', () => {
  it('maps the partially refunded charge of charge.refunded to its canonical payment', () => {
    const raw = jsonFixture<{ data: { object: unknown } }>('stripe', 'events', 'charge.refunded.json').data
      .object;
    expect(mapCharge(WireCharge.parse(raw))).toEqual({
      externalId: 'ch_1PgafuB7WZ01zgkWXYmPNZs8',
      paymentIntentId: 'pi_1PgafyB7WZ01zgkWSjxsAJo3',
      state: 'partially_refunded',
      amountMinor: 1099,
      amountCapturedMinor: 1099,
      amountRefundedMinor: 500,
      currency: 'USD',
      disputed: false,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      customerId: null,
      description: expect.any(String),
      invoiceRef: { number: 'INV-1001', externalId: null },
      settlement: null,
    });
  });

  it('keeps both sides of a JPY charge settled in USD, with the rate as Stripe wrote it', () => {
    const fx = jsonFixture<{ charge: Record<string, unknown>; balance_transaction: unknown }>(
      'stripe',
      'scenarios',
      'fx_charge_jpy_settled_usd.json',
    );
    const p = mapCharge(WireCharge.parse({ ...fx.charge, balance_transaction: fx.balance_transaction }));
    expect([p.amountMinor, p.currency]).toEqual([15000, 'JPY']);
    expect(p.settlement).toEqual({
      balanceTransactionId: 'txn_3PgdJP7WZ01zgkWjpy2usd01',
      amountMinor: 10050,
      feeMinor: 472,
      netMinor: 9578,
      currency: 'USD',
      exchangeRate: '0.0067',
      status: 'pending',
    });
    WireBalanceTransaction.parse(fx.balance_transaction);
  });

  it('reads the payout arrival date as a UTC calendar day', () => {
    const s = jsonFixture<{ payout: unknown }>('stripe', 'scenarios', 'payout_reconciliation_usd.json');
    const p = mapPayout(WirePayout.parse(s.payout));
    expect([p.arrivalDate, p.amountMinor, p.automatic, p.status]).toEqual([
      '2027-01-04',
      239927,
      true,
      'paid',
    ]);
  });

  it('treats funds withdrawn from an open dispute as open, not lost', () => {
    expect(disputeOutcome('needs_response')).toBe('open');
    expect(disputeOutcome('under_review')).toBe('open');
    expect(disputeOutcome('warning_closed')).toBe('closed');
    expect(disputeOutcome('won')).toBe('won');
    expect(disputeOutcome('lost')).toBe('lost');
  });

  it('finds the invoice in the charge metadata first, then the payment intent', () => {
    expect(
      invoiceRefFrom({ invoice_number: ' INV-7 ' }, { invoice_number: 'INV-8', invoice_id: 'abc' }),
    ).toEqual({
      number: 'INV-7',
      externalId: 'abc',
    });
    expect(invoiceRefFrom(null, {})).toEqual({ number: null, externalId: null });
  });
});
