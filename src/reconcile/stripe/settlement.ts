import { sumMinor } from '../../canonical/money.js';
import type { StripeBalanceTransaction, StripePayout } from '../../canonical/stripe.js';

/**
 * A payout exploded into what it settles. Pure: the balance transactions of an automatic payout (read
 * through `balance_transactions?payout=`) become lines whose sum is the payout amount — charges at
 * gross, refunds, dispute withdrawals and reinstatements, and one fee posting (processing, dispute and
 * stand-alone Stripe fees) — so the fees are explained, not a difference.
 */
export type SettlementLineKind = 'charge' | 'refund' | 'dispute' | 'fee' | 'other';

export interface SettlementLineDraft {
  kind: SettlementLineKind;
  balanceTransactionId: string;
  sourceId: string | null;
  amountMinor: number;
  currency: string;
  description: string | null;
}

export interface SettlementBreakdown {
  currency: string;
  payoutAmountMinor: number;
  chargeGrossMinor: number;
  chargeFeesMinor: number;
  refundsMinor: number;
  refundFeesMinor: number;
  disputesMinor: number;
  disputeFeesMinor: number;
  /** Stand-alone Stripe fees (billing, Radar …: `reporting_category` fee), signed as on the balance. */
  otherStripeFeesMinor: number;
  otherMinor: number;
  /** The fee posting: every fee in the payout as one (negative) amount. */
  feePostingMinor: number;
  /** Σ net of every transaction but the payout's own. */
  netTotalMinor: number;
  /** payout amount − Σ net: zero when the payout is explained to the cent. */
  differenceMinor: number;
  transactions: number;
}

type Category = 'charge' | 'refund' | 'dispute' | 'fee' | 'payout' | 'other';

/** Stripe's reporting categories, grouped (https://docs.stripe.com/reports/reporting-categories). */
export function categoryOf(t: Pick<StripeBalanceTransaction, 'type' | 'reportingCategory'>): Category {
  switch (t.reportingCategory) {
    case 'charge':
    case 'charge_failure':
      return 'charge';
    case 'refund':
    case 'refund_failure':
    case 'partial_capture_reversal':
      return 'refund';
    case 'dispute':
    case 'dispute_reversal':
      return 'dispute';
    case 'fee':
    case 'network_cost':
      return 'fee';
    case 'payout':
    case 'payout_reversal':
      return t.type === 'payout' || t.type === 'payout_cancel' || t.type === 'payout_failure'
        ? 'payout'
        : 'other';
    default:
      return t.type === 'stripe_fee' ? 'fee' : 'other';
  }
}

export function explodeSettlement(
  payout: Pick<StripePayout, 'externalId' | 'amountMinor' | 'currency'>,
  txns: StripeBalanceTransaction[],
): { breakdown: SettlementBreakdown; lines: SettlementLineDraft[] } {
  const lines: SettlementLineDraft[] = [];
  const b: SettlementBreakdown = {
    currency: payout.currency,
    payoutAmountMinor: payout.amountMinor,
    chargeGrossMinor: 0,
    chargeFeesMinor: 0,
    refundsMinor: 0,
    refundFeesMinor: 0,
    disputesMinor: 0,
    disputeFeesMinor: 0,
    otherStripeFeesMinor: 0,
    otherMinor: 0,
    feePostingMinor: 0,
    netTotalMinor: 0,
    differenceMinor: 0,
    transactions: 0,
  };
  const line = (kind: SettlementLineKind, t: StripeBalanceTransaction, amountMinor: number) => {
    if (amountMinor === 0 && kind === 'fee') return;
    lines.push({
      kind,
      balanceTransactionId: t.externalId,
      sourceId: t.sourceId,
      amountMinor,
      currency: t.currency,
      description: t.description,
    });
  };
  for (const t of txns) {
    const cat = categoryOf(t);
    // The payout's own transaction (and the payout being the source) is the other side, not content.
    if (cat === 'payout' && (t.sourceId === payout.externalId || t.type === 'payout')) continue;
    b.transactions += 1;
    b.netTotalMinor += t.netMinor;
    switch (cat) {
      case 'charge':
        b.chargeGrossMinor += t.amountMinor;
        b.chargeFeesMinor += t.feeMinor;
        line('charge', t, t.amountMinor);
        line('fee', t, -t.feeMinor);
        break;
      case 'refund':
        b.refundsMinor += t.amountMinor;
        b.refundFeesMinor += t.feeMinor;
        line('refund', t, t.amountMinor);
        line('fee', t, -t.feeMinor);
        break;
      case 'dispute':
        b.disputesMinor += t.amountMinor;
        b.disputeFeesMinor += t.feeMinor;
        line('dispute', t, t.amountMinor);
        line('fee', t, -t.feeMinor);
        break;
      case 'fee':
        b.otherStripeFeesMinor += t.netMinor;
        line('fee', t, t.netMinor);
        break;
      default:
        b.otherMinor += t.netMinor;
        lines.push({
          kind: 'other',
          balanceTransactionId: t.externalId,
          sourceId: t.sourceId,
          amountMinor: t.netMinor,
          currency: t.currency,
          description: t.description,
        });
    }
  }
  b.feePostingMinor = sumMinor(lines.filter((l) => l.kind === 'fee').map((l) => l.amountMinor));
  b.differenceMinor = payout.amountMinor - b.netTotalMinor;
  return { breakdown: b, lines };
}
