import type {
  InvoiceRef,
  StripeBalanceTransaction,
  StripeDispute,
  StripeDisputeOutcome,
  StripePayment,
  StripePaymentState,
  StripePayout,
  StripeRefund,
  StripeSettlement,
} from '../../canonical/stripe.js';
import { fromStripeAmount, isoCurrency } from './currency.js';
import {
  refId,
  type WireBalanceTransaction,
  type WireCharge,
  type WireDispute,
  type WirePayout,
  type WireRefund,
} from './wire.js';

/** Pure mapping from Stripe objects to the canonical Stripe model (ISO minor units, ISO dates). */

const instant = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();
/** Stripe's date-only fields (arrival_date, available_on) are midnight UTC of that day. */
const utcDay = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(0, 10);

/** Stripe sends exchange_rate as a JSON number; its shortest text form is the rate as Stripe meant it. */
function rateText(rate: number | null | undefined): string | null {
  if (rate == null) return null;
  const s = String(rate);
  if (!/e/i.test(s)) return s;
  return rate.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

const NUMBER_KEYS = ['invoice_number', 'invoice_no', 'invoiceNumber', 'invoice'];
const ID_KEYS = ['invoice_id', 'invoice_external_id', 'invoiceId', 'xero_invoice_id', 'qbo_invoice_id'];

/** The invoice a payment is for, from metadata (the charge's first, then its payment intent's). */
export function invoiceRefFrom(...metadatas: (Record<string, string> | null | undefined)[]): InvoiceRef {
  let number: string | null = null;
  let externalId: string | null = null;
  for (const md of metadatas) {
    if (!md) continue;
    for (const k of NUMBER_KEYS) {
      const v = md[k]?.trim();
      if (!number && v) number = v;
    }
    for (const k of ID_KEYS) {
      const v = md[k]?.trim();
      if (!externalId && v) externalId = v;
    }
  }
  return { number, externalId };
}

export function mapBalanceTransaction(
  b: WireBalanceTransaction,
  payoutId: string | null = null,
): StripeBalanceTransaction {
  const cur = b.currency;
  return {
    externalId: b.id,
    type: b.type,
    reportingCategory: b.reporting_category,
    sourceId: refId(b.source),
    amountMinor: fromStripeAmount(b.amount, cur),
    feeMinor: fromStripeAmount(b.fee, cur),
    netMinor: fromStripeAmount(b.net, cur),
    currency: isoCurrency(cur),
    exchangeRate: rateText(b.exchange_rate),
    status: b.status,
    createdAt: instant(b.created),
    availableOn: utcDay(b.available_on),
    feeDetails: b.fee_details.map((f) => ({
      type: f.type,
      amountMinor: fromStripeAmount(f.amount, f.currency),
      description: f.description ?? null,
    })),
    description: b.description ?? null,
    payoutId,
  };
}

function settlementOf(b: WireCharge['balance_transaction']): StripeSettlement | null {
  if (!b || typeof b === 'string') return null;
  const t = mapBalanceTransaction(b);
  return {
    balanceTransactionId: t.externalId,
    amountMinor: t.amountMinor,
    feeMinor: t.feeMinor,
    netMinor: t.netMinor,
    currency: t.currency,
    exchangeRate: t.exchangeRate,
    status: t.status,
  };
}

/** The payment's state from the charge itself (never from which event arrived last). */
export function paymentState(
  c: Pick<WireCharge, 'status' | 'amount' | 'amount_refunded' | 'refunded'>,
): StripePaymentState {
  if (c.status === 'failed') return 'failed';
  if (c.status === 'pending') return 'pending';
  if (c.refunded || (c.amount > 0 && c.amount_refunded >= c.amount)) return 'refunded';
  if (c.amount_refunded > 0) return 'partially_refunded';
  return 'succeeded';
}

export function mapCharge(
  c: WireCharge,
  paymentIntentMetadata?: Record<string, string> | null,
  previous?: { settlement: StripeSettlement | null },
): StripePayment {
  const pi = c.payment_intent;
  const piMeta = pi && typeof pi !== 'string' ? pi.metadata : paymentIntentMetadata;
  const cur = c.currency;
  return {
    externalId: c.id,
    paymentIntentId: refId(pi),
    state: paymentState(c),
    amountMinor: fromStripeAmount(c.amount, cur),
    amountCapturedMinor: fromStripeAmount(c.amount_captured, cur),
    amountRefundedMinor: fromStripeAmount(c.amount_refunded, cur),
    currency: isoCurrency(cur),
    disputed: c.disputed,
    createdAt: instant(c.created),
    customerId: refId(c.customer),
    description: c.description ?? null,
    invoiceRef: invoiceRefFrom(c.metadata, piMeta),
    // A fee may be missing when the payment succeeds and arrive later: keep what we knew until it does.
    settlement: settlementOf(c.balance_transaction) ?? previous?.settlement ?? null,
  };
}

export function mapRefund(r: WireRefund): StripeRefund {
  return {
    externalId: r.id,
    chargeId: refId(r.charge),
    paymentIntentId: refId(r.payment_intent),
    status: r.status ?? 'pending',
    amountMinor: fromStripeAmount(r.amount, r.currency),
    currency: isoCurrency(r.currency),
    balanceTransactionId: refId(r.balance_transaction),
    createdAt: instant(r.created),
  };
}

/**
 * Dispute statuses: warning_needs_response, warning_under_review, warning_closed, needs_response,
 * under_review, won, lost (and `prevented`). Funds withdrawn while it is open are not a loss.
 */
export function disputeOutcome(status: string): StripeDisputeOutcome {
  switch (status) {
    case 'won':
    case 'prevented':
      return 'won';
    case 'lost':
      return 'lost';
    case 'warning_closed':
      return 'closed';
    default:
      return 'open';
  }
}

export function mapDispute(d: WireDispute): StripeDispute {
  const charge = d.charge && typeof d.charge !== 'string' ? d.charge : null;
  const pi = charge?.payment_intent;
  const piMeta = pi && typeof pi !== 'string' ? pi.metadata : null;
  const net = d.balance_transactions.reduce((s, b) => s + fromStripeAmount(b.net, b.currency), 0);
  return {
    externalId: d.id,
    chargeId: refId(d.charge),
    paymentIntentId: refId(d.payment_intent) ?? refId(pi),
    status: d.status,
    outcome: disputeOutcome(d.status),
    reason: d.reason ?? null,
    amountMinor: fromStripeAmount(d.amount, d.currency),
    currency: isoCurrency(d.currency),
    balanceNetMinor: net,
    invoiceRef: invoiceRefFrom(d.metadata, charge?.metadata, piMeta),
    createdAt: instant(d.created),
  };
}

export function mapPayout(p: WirePayout): StripePayout {
  return {
    externalId: p.id,
    status: p.status,
    automatic: p.automatic,
    amountMinor: fromStripeAmount(p.amount, p.currency),
    currency: isoCurrency(p.currency),
    arrivalDate: utcDay(p.arrival_date),
    createdAt: instant(p.created),
    balanceTransactionId: refId(p.balance_transaction),
    failureCode: p.failure_code ?? null,
    statementDescriptor: p.statement_descriptor ?? null,
  };
}
