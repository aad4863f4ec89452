import { boolean, date, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, currency, id, minor, syncedColumns } from './columns.js';

/** Clients and other contacts. */
export const contacts = pgTable(
  'contacts',
  {
    ...syncedColumns(),
    name: text('name').notNull(),
    email: text('email'),
    accountNumber: text('account_number'),
    taxNumber: text('tax_number'),
    isCustomer: boolean('is_customer').notNull(),
    status: text('status').notNull(),
    parentExternalId: text('parent_external_id'),
  },
  (t) => [uniqueIndex('contacts_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);

/** Matters / engagements: Xero projects, QBO sub-customers. */
export const matters = pgTable(
  'matters',
  {
    ...syncedColumns(),
    contactExternalId: text('contact_external_id'),
    name: text('name').notNull(),
    status: text('status').notNull(),
    estimateMinor: minor('estimate_minor'),
    estimateCurrency: currency('estimate_currency'),
  },
  (t) => [uniqueIndex('matters_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);

/** Chart of accounts. */
export const accounts = pgTable(
  'accounts',
  {
    ...syncedColumns(),
    code: text('code'),
    name: text('name').notNull(),
    type: text('type').notNull(),
    class: text('class'),
    status: text('status').notNull(),
    isBank: boolean('is_bank').notNull(),
    bankAccountNumber: text('bank_account_number'),
    currency: currency('currency'),
    isReceivable: boolean('is_receivable').notNull(),
  },
  (t) => [uniqueIndex('accounts_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);

export const invoices = pgTable(
  'invoices',
  {
    ...syncedColumns(),
    number: text('number'),
    reference: text('reference'),
    contactExternalId: text('contact_external_id'),
    matterExternalId: text('matter_external_id'),
    status: text('status').notNull(),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }),
    currency: currency().notNull(),
    taxMode: text('tax_mode').notNull(),
    subtotalMinor: minor('subtotal_minor').notNull(),
    taxMinor: minor('tax_minor').notNull(),
    totalMinor: minor('total_minor').notNull(),
    currencyRate: text('currency_rate').notNull(),
    baseTotalMinor: minor('base_total_minor').notNull(),
    providerAmountDueMinor: minor('provider_amount_due_minor'),
    /** Set by a dispute (Stripe or a person); pauses reminders. */
    disputed: boolean('disputed').notNull().default(false),
  },
  (t) => [
    uniqueIndex('invoices_ext_uq').on(t.firmId, t.connectionId, t.externalId),
    index('invoices_firm_number_idx').on(t.firmId, t.number),
    index('invoices_firm_contact_idx').on(t.firmId, t.contactExternalId),
  ],
);

export const invoiceLines = pgTable(
  'invoice_lines',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    invoiceId: uuid('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    externalId: text('external_id'),
    description: text('description').notNull(),
    quantity: text('quantity').notNull(),
    unitAmount: text('unit_amount').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    taxMinor: minor('tax_minor').notNull(),
    accountCode: text('account_code'),
    taxType: text('tax_type'),
    itemCode: text('item_code'),
  },
  (t) => [uniqueIndex('invoice_lines_pos_uq').on(t.invoiceId, t.position)],
);

export const creditNotes = pgTable(
  'credit_notes',
  {
    ...syncedColumns(),
    number: text('number'),
    reference: text('reference'),
    contactExternalId: text('contact_external_id'),
    status: text('status').notNull(),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    currency: currency().notNull(),
    taxMode: text('tax_mode').notNull(),
    subtotalMinor: minor('subtotal_minor').notNull(),
    taxMinor: minor('tax_minor').notNull(),
    totalMinor: minor('total_minor').notNull(),
    currencyRate: text('currency_rate').notNull(),
    baseTotalMinor: minor('base_total_minor').notNull(),
    providerRemainingMinor: minor('provider_remaining_minor'),
  },
  (t) => [uniqueIndex('credit_notes_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);

export const payments = pgTable(
  'payments',
  {
    ...syncedColumns(),
    kind: text('kind').notNull(),
    status: text('status').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    currencyRate: text('currency_rate').notNull(),
    bankAmountMinor: minor('bank_amount_minor'),
    reference: text('reference'),
    bankLedgerAccountExternalId: text('bank_ledger_account_external_id'),
    contactExternalId: text('contact_external_id'),
    invoiceExternalId: text('invoice_external_id'),
    creditNoteExternalId: text('credit_note_external_id'),
    prepaymentExternalId: text('prepayment_external_id'),
    isReconciled: boolean('is_reconciled').notNull(),
  },
  (t) => [
    uniqueIndex('payments_ext_uq').on(t.firmId, t.connectionId, t.externalId),
    index('payments_firm_date_idx').on(t.firmId, t.date),
  ],
);

/** Overpayments and prepayments: received credits waiting to be allocated. */
export const prepayments = pgTable(
  'prepayments',
  {
    ...syncedColumns(),
    kind: text('kind').notNull(),
    contactExternalId: text('contact_external_id'),
    status: text('status').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    currency: currency().notNull(),
    totalMinor: minor('total_minor').notNull(),
    providerRemainingMinor: minor('provider_remaining_minor'),
    bankLedgerAccountExternalId: text('bank_ledger_account_external_id'),
    reference: text('reference'),
    direction: text('direction').notNull(),
  },
  (t) => [uniqueIndex('prepayments_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);

/**
 * Allocations to invoices. origin `provider`: read from the books; origin `ledgerbridge`: decided by our
 * cash application (with its decision). Open balance = invoice total − Σ active applications.
 */
export const applications = pgTable(
  'applications',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    connectionId: uuid('connection_id'),
    origin: text('origin').notNull(),
    key: text('key').notNull(),
    source: text('source').notNull(),
    sourceExternalId: text('source_external_id'),
    /** The bank line, Stripe charge … for origin ledgerbridge. */
    sourceId: uuid('source_id'),
    invoiceId: uuid('invoice_id').references(() => invoices.id),
    invoiceExternalId: text('invoice_external_id').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    status: text('status').notNull(),
    decisionId: uuid('decision_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('applications_key_uq').on(t.firmId, t.origin, t.key),
    index('applications_invoice_idx').on(t.firmId, t.invoiceExternalId),
  ],
);

/** Money the books already record on a bank account (Xero BankTransactions, QBO Deposits/Purchases). */
export const bankTransactions = pgTable(
  'bank_transactions',
  {
    ...syncedColumns(),
    type: text('type').notNull(),
    status: text('status').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    reference: text('reference'),
    contactExternalId: text('contact_external_id'),
    bankLedgerAccountExternalId: text('bank_ledger_account_external_id'),
    isReconciled: boolean('is_reconciled').notNull(),
    prepaymentExternalId: text('prepayment_external_id'),
    lineAccountCodes: text('line_account_codes').array().notNull(),
  },
  (t) => [uniqueIndex('bank_transactions_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);

export const glPostings = pgTable(
  'gl_postings',
  {
    ...syncedColumns(),
    journalExternalId: text('journal_external_id'),
    journalNumber: integer('journal_number'),
    date: date('date', { mode: 'string' }).notNull(),
    accountExternalId: text('account_external_id'),
    accountCode: text('account_code'),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    sourceType: text('source_type'),
    sourceExternalId: text('source_external_id'),
    description: text('description'),
    derived: boolean('derived').notNull(),
    details: jsonb('details'),
  },
  (t) => [
    uniqueIndex('gl_postings_ext_uq').on(t.firmId, t.connectionId, t.externalId),
    index('gl_postings_source_idx').on(t.firmId, t.sourceExternalId),
  ],
);

/** Billable time (QBO TimeActivity, Xero Projects time entries, file imports). */
export const timeEntries = pgTable(
  'time_entries',
  {
    ...syncedColumns(),
    date: date('date', { mode: 'string' }).notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    contactExternalId: text('contact_external_id'),
    matterExternalId: text('matter_external_id'),
    userExternalId: text('user_external_id'),
    userName: text('user_name'),
    taskExternalId: text('task_external_id'),
    taskName: text('task_name'),
    description: text('description'),
    hourlyRate: text('hourly_rate'),
    rateCurrency: currency('rate_currency'),
    billableStatus: text('billable_status').notNull(),
    status: text('status').notNull(),
  },
  (t) => [uniqueIndex('time_entries_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);
