import { describe, expect, it } from 'vitest';
import { mapBalanceTransaction, mapPayout } from '../../../src/connectors/stripe/map.js';
import { WireBalanceTransaction, WirePayout } from '../../../src/connectors/stripe/wire.js';
import { explodeSettlement } from '../../../src/reconcile/stripe/settlement.js';
import { jsonFixture } from '../../support/fixtures.js';

interface Scenario {
  payout: unknown;
  balance_transactions_for_payout: { data: unknown[] };
  expected_breakdown: Record<string, number>;
}
const scenario = jsonFixture<Scenario>('stripe', 'scenarios', 'payout_reconciliation_usd.json');
const payout = mapPayout(WirePayout.parse(scenario.payout));
const txns = scenario.balance_transactions_for_payout.data.map((b) =>
  mapBalanceTransaction(WireBalanceTransaction.parse(b), payout.externalId),
);

describe('explodeSettlement', () => {
  it('explains the payout scenario to the cent', () => {
    const { breakdown } = explodeSettlement(payout, txns);
    const e = scenario.expected_breakdown;
    expect(breakdown).toEqual({
      currency: 'USD',
      payoutAmountMinor: e.payout_amount,
      chargeGrossMinor: e.charge_gross,
      chargeFeesMinor: e.charge_fees,
      refundsMinor: e.refunds,
      refundFeesMinor: 0,
      disputesMinor: e.dispute_withdrawals,
      disputeFeesMinor: e.dispute_fees,
      otherStripeFeesMinor: e.other_stripe_fees,
      otherMinor: 0,
      feePostingMinor: -10672,
      netTotalMinor: 239927,
      differenceMinor: 0,
      transactions: 6,
    });
  });

  it('gives lines that sum to the payout: charges gross, refund, dispute, and the fees as fee lines', () => {
    const { lines } = explodeSettlement(payout, txns);
    expect(lines.reduce((t, l) => t + l.amountMinor, 0)).toBe(239927);
    expect(lines.filter((l) => l.kind === 'fee').map((l) => [l.balanceTransactionId, l.amountMinor])).toEqual(
      [
        ['txn_1PgaxNB7WZ01zgkWEV3TLf40', -62],
        ['txn_3PgbB1B7WZ01zgkWcharge02', -7280],
        ['txn_3PgbC2B7WZ01zgkWcharge03', -1335],
        ['txn_1Pgc71B7WZ01zgkWdispute1', -1500],
        ['txn_1Pgc6xB7WZ01zgkWstrfee01', -495],
      ],
    );
    expect(lines.some((l) => l.balanceTransactionId === 'txn_1Pgc7AB7WZ01zgkWpayout01')).toBe(false);
  });

  it('reports the difference when a transaction is missing from the list', () => {
    const { breakdown } = explodeSettlement(
      payout,
      txns.filter((t) => t.type !== 'stripe_fee'),
    );
    expect(breakdown.differenceMinor).toBe(-495);
  });
});
