import { sql } from 'drizzle-orm';
import { boolean, date, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, currency, id, minor, tstz } from './columns.js';
import { firms } from './core.js';

/** The firm's bank accounts. `trust`: client money, never auto-applied to operating invoices. */
export const bankAccounts = pgTable(
  'bank_accounts',
  {
    id: id(),
    firmId: uuid('firm_id')
      .notNull()
      .references(() => firms.id),
    name: text('name').notNull(),
    /** The connection whose ledger holds it, and its account there. */
    connectionId: uuid('connection_id'),
    ledgerAccountExternalId: text('ledger_account_external_id'),
    accountNumber: text('account_number'),
    iban: text('iban'),
    currency: currency().notNull(),
    trust: boolean('trust').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('bank_accounts_ledger_uq').on(t.firmId, t.connectionId, t.ledgerAccountExternalId),
    index('bank_accounts_number_idx').on(t.firmId, t.accountNumber),
  ],
);

/** One imported statement file (or a Stripe payout's settlement). */
export const bankStatements = pgTable(
  'bank_statements',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    bankAccountId: uuid('bank_account_id')
      .notNull()
      .references(() => bankAccounts.id),
    format: text('format').notNull(),
    fileName: text('file_name'),
    fileHash: text('file_hash').notNull(),
    periodStart: date('period_start', { mode: 'string' }),
    periodEnd: date('period_end', { mode: 'string' }),
    openingBalanceMinor: minor('opening_balance_minor'),
    closingBalanceMinor: minor('closing_balance_minor'),
    linesRead: minor('lines_read').notNull(),
    linesNew: minor('lines_new').notNull(),
    importedBy: text('imported_by').notNull(),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    importedAt: createdAt(),
    /** Files: the file's hash and the statement's place in it; importing the file again finds this row. */
    sourceKey: text('source_key'),
  },
  (t) => [
    index('bank_statements_account_idx').on(t.firmId, t.bankAccountId),
    uniqueIndex('bank_statements_source_uq').on(t.firmId, t.bankAccountId, t.sourceKey),
  ],
);

/** Statement lines: the bank's side of cash. Positive is money in. */
export const bankLines = pgTable(
  'bank_lines',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    bankAccountId: uuid('bank_account_id')
      .notNull()
      .references(() => bankAccounts.id),
    statementId: uuid('statement_id').references(() => bankStatements.id),
    dedupeKey: text('dedupe_key').notNull(),
    bookingDate: date('booking_date', { mode: 'string' }).notNull(),
    valueDate: date('value_date', { mode: 'string' }),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
    counterpartyName: text('counterparty_name'),
    counterpartyAccount: text('counterparty_account'),
    endToEndId: text('end_to_end_id'),
    remittance: text('remittance'),
    checkNumber: text('check_number'),
    bankReference: text('bank_reference'),
    transactionCode: text('transaction_code'),
    raw: jsonb('raw').notNull(),
    /** Where it came from: a statement file, a Stripe payout … */
    origin: text('origin').notNull().default('statement'),
    originRef: text('origin_ref'),
    createdAt: createdAt(),
    /** A person took back an automatic decision: never auto-apply it again. */
    unappliedAt: tstz('unapplied_at'),
  },
  (t) => [
    uniqueIndex('bank_lines_dedupe_uq').on(t.firmId, t.bankAccountId, t.dedupeKey),
    index('bank_lines_date_idx').on(t.firmId, t.bookingDate),
  ],
);
