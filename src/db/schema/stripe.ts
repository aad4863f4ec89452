import { sql } from 'drizzle-orm';
import { boolean, date, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, currency, id, minor, syncedColumns, tstz } from './columns.js';

/**
 * Stripe objects as pulled (mirroring src/canonical/stripe.ts), plus the settlement of each payout.
 * Amounts are ISO 4217 minor units (converted at the connector's edge where Stripe's decimals differ).
 */

/** One charge: what the client paid, and its settlement (balance transaction) in the balance currency. */
export const stripePayments = pgTable(
  'stripe_payments',
  {
    ...syncedColumns(),
    paymentIntentId: text('payment_intent_id'),
    state: text('state').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    amountCapturedMinor: minor('amount_captured_minor').notNull(),
    amountRefundedMinor: minor('amount_refunded_minor').notNull(),
    currency: currency().notNull(),
    disputed: boolean('disputed').notNull(),
    stripeCreatedAt: tstz('stripe_created_at').notNull(),
    customerId: text('customer_id'),
    description: text('description'),
    invoiceNumber: text('invoice_number'),
    invoiceExternalId: text('invoice_external_id'),
    balanceTransactionId: text('balance_transaction_id'),
    settlementAmountMinor: minor('settlement_amount_minor'),
    settlementFeeMinor: minor('settlement_fee_minor'),
    settlementNetMinor: minor('settlement_net_minor'),
    settlementCurrency: currency('settlement_currency'),
    exchangeRate: text('exchange_rate'),
    settlementStatus: text('settlement_status'),
  },
  (t) => [
    uniqueIndex('stripe_payments_ext_uq').on(t.firmId, t.connectionId, t.externalId),
    index('stripe_payments_list_idx').on(t.firmId, t.stripeCreatedAt),
    index('stripe_payments_pi_idx').on(t.firmId, t.paymentIntentId),
  ],
);

export const stripeRefunds = pgTable(
  'stripe_refunds',
  {
    ...syncedColumns(),
    chargeId: text('charge_id'),
    paymentIntentId: text('payment_intent_id'),
    status: text('status').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    balanceTransactionId: text('balance_transaction_id'),
    stripeCreatedAt: tstz('stripe_created_at').notNull(),
  },
  (t) => [uniqueIndex('stripe_refunds_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);

export const stripeDisputes = pgTable(
  'stripe_disputes',
  {
    ...syncedColumns(),
    chargeId: text('charge_id'),
    paymentIntentId: text('payment_intent_id'),
    status: text('status').notNull(),
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    balanceNetMinor: minor('balance_net_minor').notNull(),
    invoiceNumber: text('invoice_number'),
    invoiceExternalId: text('invoice_external_id'),
    stripeCreatedAt: tstz('stripe_created_at').notNull(),
  },
  (t) => [uniqueIndex('stripe_disputes_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);

export const stripePayouts = pgTable(
  'stripe_payouts',
  {
    ...syncedColumns(),
    status: text('status').notNull(),
    automatic: boolean('automatic').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    arrivalDate: date('arrival_date', { mode: 'string' }).notNull(),
    stripeCreatedAt: tstz('stripe_created_at').notNull(),
    balanceTransactionId: text('balance_transaction_id'),
    failureCode: text('failure_code'),
    statementDescriptor: text('statement_descriptor'),
  },
  (t) => [
    uniqueIndex('stripe_payouts_ext_uq').on(t.firmId, t.connectionId, t.externalId),
    index('stripe_payouts_list_idx').on(t.firmId, t.arrivalDate),
  ],
);

export const stripeBalanceTransactions = pgTable(
  'stripe_balance_transactions',
  {
    ...syncedColumns(),
    type: text('type').notNull(),
    reportingCategory: text('reporting_category').notNull(),
    sourceId: text('source_id'),
    amountMinor: minor('amount_minor').notNull(),
    feeMinor: minor('fee_minor').notNull(),
    netMinor: minor('net_minor').notNull(),
    currency: currency().notNull(),
    exchangeRate: text('exchange_rate'),
    status: text('status').notNull(),
    stripeCreatedAt: tstz('stripe_created_at').notNull(),
    availableOn: date('available_on', { mode: 'string' }).notNull(),
    feeDetails: jsonb('fee_details').notNull(),
    description: text('description'),
    payoutId: text('payout_id'),
  },
  (t) => [
    uniqueIndex('stripe_btx_ext_uq').on(t.firmId, t.connectionId, t.externalId),
    index('stripe_btx_payout_idx').on(t.firmId, t.payoutId),
    index('stripe_btx_source_idx').on(t.firmId, t.sourceId),
  ],
);

/**
 * The settlement of one payout: its balance transactions exploded into a breakdown whose lines sum to
 * the payout amount. status: awaiting_deposit → reconciled (a bank line matched) → reversed (the payout
 * failed after it was paid); mismatch when the lines do not add up to the payout.
 */
export const stripeSettlements = pgTable(
  'stripe_settlements',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    payoutExternalId: text('payout_external_id').notNull(),
    status: text('status').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    arrivalDate: date('arrival_date', { mode: 'string' }).notNull(),
    breakdown: jsonb('breakdown').notNull(),
    bankLineId: uuid('bank_line_id'),
    reconciledAt: tstz('reconciled_at'),
    reversedAt: tstz('reversed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('stripe_settlements_payout_uq').on(t.firmId, t.connectionId, t.payoutExternalId),
    uniqueIndex('stripe_settlements_bank_line_uq')
      .on(t.firmId, t.bankLineId)
      .where(sql`bank_line_id is not null and status = 'reconciled'`),
  ],
);

/**
 * The lines of a settlement (sum = payout amount): charge (gross, with its invoice when matched),
 * fee (the fee posting: processing, dispute and stand-alone Stripe fees), refund, dispute, other.
 */
export const stripeSettlementLines = pgTable(
  'stripe_settlement_lines',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    settlementId: uuid('settlement_id')
      .notNull()
      .references(() => stripeSettlements.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    balanceTransactionId: text('balance_transaction_id'),
    sourceId: text('source_id'),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    /** charge lines: matched | to_cash_application | applied | reversed */
    matchStatus: text('match_status'),
    invoiceId: uuid('invoice_id'),
    invoiceExternalId: text('invoice_external_id'),
    applicationId: uuid('application_id'),
    description: text('description'),
  },
  (t) => [
    uniqueIndex('stripe_settlement_lines_uq').on(t.settlementId, t.kind, t.balanceTransactionId),
    index('stripe_settlement_lines_source_idx').on(t.firmId, t.sourceId),
  ],
);
