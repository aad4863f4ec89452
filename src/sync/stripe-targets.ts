import type { PgTable } from 'drizzle-orm/pg-core';
import type { CanonicalRecord } from '../connectors/connector.js';
import {
  stripeBalanceTransactions,
  stripeDisputes,
  stripePayments,
  stripePayouts,
  stripeRefunds,
} from '../db/schema/index.js';

/**
 * Upsert targets of the Stripe kinds (issue 4), kept beside upsert.ts so the shared TARGETS table gets
 * one line. Columns mirror src/canonical/stripe.ts.
 */
type StripeKind = Extract<CanonicalRecord['kind'], `stripe_${string}`>;
type Of<K extends StripeKind> = Extract<CanonicalRecord, { kind: K }>;
const t = <K extends StripeKind>(fn: (r: Of<K>) => Record<string, unknown>) =>
  fn as (r: CanonicalRecord) => Record<string, unknown>;

export const STRIPE_TARGETS: Record<
  StripeKind,
  { table: PgTable; columns: (r: CanonicalRecord) => Record<string, unknown> }
> = {
  stripe_payment: {
    table: stripePayments,
    columns: t<'stripe_payment'>(({ data: d }) => ({
      paymentIntentId: d.paymentIntentId,
      state: d.state,
      amountMinor: d.amountMinor,
      amountCapturedMinor: d.amountCapturedMinor,
      amountRefundedMinor: d.amountRefundedMinor,
      currency: d.currency,
      disputed: d.disputed,
      stripeCreatedAt: new Date(d.createdAt),
      customerId: d.customerId,
      description: d.description,
      invoiceNumber: d.invoiceRef.number,
      invoiceExternalId: d.invoiceRef.externalId,
      balanceTransactionId: d.settlement?.balanceTransactionId ?? null,
      settlementAmountMinor: d.settlement?.amountMinor ?? null,
      settlementFeeMinor: d.settlement?.feeMinor ?? null,
      settlementNetMinor: d.settlement?.netMinor ?? null,
      settlementCurrency: d.settlement?.currency ?? null,
      exchangeRate: d.settlement?.exchangeRate ?? null,
      settlementStatus: d.settlement?.status ?? null,
    })),
  },
  stripe_refund: {
    table: stripeRefunds,
    columns: t<'stripe_refund'>(({ data: d }) => ({
      chargeId: d.chargeId,
      paymentIntentId: d.paymentIntentId,
      status: d.status,
      amountMinor: d.amountMinor,
      currency: d.currency,
      balanceTransactionId: d.balanceTransactionId,
      stripeCreatedAt: new Date(d.createdAt),
    })),
  },
  stripe_dispute: {
    table: stripeDisputes,
    columns: t<'stripe_dispute'>(({ data: d }) => ({
      chargeId: d.chargeId,
      paymentIntentId: d.paymentIntentId,
      status: d.status,
      outcome: d.outcome,
      reason: d.reason,
      amountMinor: d.amountMinor,
      currency: d.currency,
      balanceNetMinor: d.balanceNetMinor,
      invoiceNumber: d.invoiceRef.number,
      invoiceExternalId: d.invoiceRef.externalId,
      stripeCreatedAt: new Date(d.createdAt),
    })),
  },
  stripe_payout: {
    table: stripePayouts,
    columns: t<'stripe_payout'>(({ data: d }) => ({
      status: d.status,
      automatic: d.automatic,
      amountMinor: d.amountMinor,
      currency: d.currency,
      arrivalDate: d.arrivalDate,
      stripeCreatedAt: new Date(d.createdAt),
      balanceTransactionId: d.balanceTransactionId,
      failureCode: d.failureCode,
      statementDescriptor: d.statementDescriptor,
    })),
  },
  stripe_balance_transaction: {
    table: stripeBalanceTransactions,
    columns: t<'stripe_balance_transaction'>(({ data: d }) => ({
      type: d.type,
      reportingCategory: d.reportingCategory,
      sourceId: d.sourceId,
      amountMinor: d.amountMinor,
      feeMinor: d.feeMinor,
      netMinor: d.netMinor,
      currency: d.currency,
      exchangeRate: d.exchangeRate,
      status: d.status,
      stripeCreatedAt: new Date(d.createdAt),
      availableOn: d.availableOn,
      feeDetails: d.feeDetails,
      description: d.description,
      payoutId: d.payoutId,
    })),
  },
};
