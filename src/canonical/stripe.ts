import { z } from 'zod';
import { ExternalId } from './common.js';
import { IsoDate } from './dates.js';
import { DecimalString } from './decimal.js';
import { CurrencyCode, MinorUnits } from './money.js';

/**
 * Stripe money as the engines see it: ISO 4217 minor units (the Stripe connector converts at its edge
 * where Stripe's decimals differ from ISO, e.g. ISK). The final state of each object comes from the
 * object itself, never from the order its events arrived in.
 */

/** The settlement side of a charge: its balance transaction, in the balance (settlement) currency. */
export const StripeSettlement = z.object({
  balanceTransactionId: z.string(),
  amountMinor: MinorUnits,
  feeMinor: MinorUnits,
  netMinor: MinorUnits,
  currency: CurrencyCode,
  /** Presentment → settlement rate on major units, as Stripe gave it (decimal text); null when same currency. */
  exchangeRate: DecimalString.nullable(),
  status: z.enum(['pending', 'available']),
});
export type StripeSettlement = z.infer<typeof StripeSettlement>;

/** A reference to one of the firm's invoices found in a charge's or payment intent's metadata. */
export const InvoiceRef = z.object({
  number: z.string().nullable(),
  externalId: z.string().nullable(),
});
export type InvoiceRef = z.infer<typeof InvoiceRef>;

export const StripePaymentState = z.enum([
  'pending',
  'succeeded',
  'failed',
  'partially_refunded',
  'refunded',
]);
export type StripePaymentState = z.infer<typeof StripePaymentState>;

/** One Stripe charge (the money movement of a payment intent). */
export const StripePayment = z.object({
  externalId: ExternalId,
  paymentIntentId: z.string().nullable(),
  state: StripePaymentState,
  amountMinor: MinorUnits,
  amountCapturedMinor: MinorUnits,
  amountRefundedMinor: MinorUnits,
  currency: CurrencyCode,
  disputed: z.boolean(),
  createdAt: z.iso.datetime(),
  customerId: z.string().nullable(),
  description: z.string().nullable(),
  invoiceRef: InvoiceRef,
  settlement: StripeSettlement.nullable(),
});
export type StripePayment = z.infer<typeof StripePayment>;

export const StripeRefund = z.object({
  externalId: ExternalId,
  chargeId: z.string().nullable(),
  paymentIntentId: z.string().nullable(),
  status: z.string(),
  amountMinor: MinorUnits,
  currency: CurrencyCode,
  balanceTransactionId: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type StripeRefund = z.infer<typeof StripeRefund>;

/**
 * A dispute. `outcome` is derived from its status: funds withdrawn while it is open are not a loss;
 * only `lost` is. An inquiry closed without a chargeback (`warning_closed`) is `closed`.
 */
export const StripeDisputeOutcome = z.enum(['open', 'won', 'lost', 'closed']);
export type StripeDisputeOutcome = z.infer<typeof StripeDisputeOutcome>;

export const StripeDispute = z.object({
  externalId: ExternalId,
  chargeId: z.string().nullable(),
  paymentIntentId: z.string().nullable(),
  status: z.string(),
  outcome: StripeDisputeOutcome,
  reason: z.string().nullable(),
  amountMinor: MinorUnits,
  currency: CurrencyCode,
  /** Net of the dispute's balance transactions (withdrawal, fee, reinstatement) in settlement currency. */
  balanceNetMinor: MinorUnits,
  invoiceRef: InvoiceRef,
  createdAt: z.iso.datetime(),
});
export type StripeDispute = z.infer<typeof StripeDispute>;

export const StripePayoutStatus = z.enum(['paid', 'pending', 'in_transit', 'canceled', 'failed']);
export type StripePayoutStatus = z.infer<typeof StripePayoutStatus>;

export const StripePayout = z.object({
  externalId: ExternalId,
  status: StripePayoutStatus,
  automatic: z.boolean(),
  amountMinor: MinorUnits,
  currency: CurrencyCode,
  /** The date the bank should show it (UTC calendar day of Stripe's arrival_date). */
  arrivalDate: IsoDate,
  createdAt: z.iso.datetime(),
  balanceTransactionId: z.string().nullable(),
  failureCode: z.string().nullable(),
  statementDescriptor: z.string().nullable(),
});
export type StripePayout = z.infer<typeof StripePayout>;

export const StripeFeeDetail = z.object({
  type: z.string(),
  amountMinor: MinorUnits,
  description: z.string().nullable(),
});

export const StripeBalanceTransaction = z.object({
  externalId: ExternalId,
  type: z.string(),
  reportingCategory: z.string(),
  /** The charge, refund, dispute, payout … it records (null for a stand-alone Stripe fee). */
  sourceId: z.string().nullable(),
  amountMinor: MinorUnits,
  feeMinor: MinorUnits,
  netMinor: MinorUnits,
  currency: CurrencyCode,
  exchangeRate: DecimalString.nullable(),
  status: z.enum(['pending', 'available']),
  createdAt: z.iso.datetime(),
  availableOn: IsoDate,
  feeDetails: z.array(StripeFeeDetail),
  description: z.string().nullable(),
  /** Set when read through `balance_transactions?payout=`. */
  payoutId: z.string().nullable(),
});
export type StripeBalanceTransaction = z.infer<typeof StripeBalanceTransaction>;
