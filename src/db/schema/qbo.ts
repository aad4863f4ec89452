import { date, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { currency, minor, syncedColumns } from './columns.js';

/**
 * Tables the qbo area added to the canonical model (provider-neutral kinds first pulled from QBO):
 * items, report rows (GL / trial balance / aged receivables) and deposit links (payments carried to the
 * bank out of Undeposited Funds).
 */

/** Products and services (QBO Item). */
export const items = pgTable(
  'items',
  {
    ...syncedColumns(),
    name: text('name').notNull(),
    sku: text('sku'),
    type: text('type').notNull(),
    status: text('status').notNull(),
    description: text('description'),
    unitPrice: text('unit_price'),
    incomeAccountExternalId: text('income_account_external_id'),
  },
  (t) => [uniqueIndex('items_ext_uq').on(t.firmId, t.connectionId, t.externalId)],
);

/** Rows of a provider report, parsed generically; summary rows are the report's own totals. */
export const reportRows = pgTable(
  'report_rows',
  {
    ...syncedColumns(),
    report: text('report').notNull(),
    periodStart: date('period_start', { mode: 'string' }),
    periodEnd: date('period_end', { mode: 'string' }).notNull(),
    basis: text('basis'),
    currency: currency().notNull(),
    position: integer('position').notNull(),
    rowType: text('row_type').notNull(),
    path: text('path').array().notNull(),
    pathIds: jsonb('path_ids').notNull(),
    label: text('label'),
    entityExternalId: text('entity_external_id'),
    date: date('date', { mode: 'string' }),
    txnType: text('txn_type'),
    txnExternalId: text('txn_external_id'),
    cells: jsonb('cells').notNull(),
    amounts: jsonb('amounts').notNull(),
  },
  (t) => [
    uniqueIndex('report_rows_ext_uq').on(t.firmId, t.connectionId, t.externalId),
    index('report_rows_report_idx').on(t.firmId, t.connectionId, t.report, t.periodEnd),
  ],
);

/** A payment (or other money already in the books) carried to the bank by a deposit. */
export const depositLinks = pgTable(
  'deposit_links',
  {
    ...syncedColumns(),
    depositExternalId: text('deposit_external_id').notNull(),
    linkedKind: text('linked_kind').notNull(),
    linkedExternalId: text('linked_external_id').notNull(),
    amountMinor: minor('amount_minor').notNull(),
    currency: currency().notNull(),
  },
  (t) => [
    uniqueIndex('deposit_links_ext_uq').on(t.firmId, t.connectionId, t.externalId),
    index('deposit_links_linked_idx').on(t.firmId, t.linkedExternalId),
  ],
);
