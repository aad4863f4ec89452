import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, tstz } from './columns.js';

/**
 * One decision per subject (a bank line, an unapplied overpayment …): its method, confidence and
 * evidence. Re-running reconciliation never changes a decision already taken.
 */
export const reconciliationDecisions = pgTable(
  'reconciliation_decisions',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    subjectKind: text('subject_kind').notNull(),
    subjectId: uuid('subject_id').notNull(),
    /** already_in_books | reference | contact_amount | exception … */
    method: text('method').notNull(),
    outcome: text('outcome').notNull(),
    /** 0–1000 (per mille). */
    confidence: integer('confidence').notNull(),
    evidence: jsonb('evidence').notNull(),
    decidedBy: text('decided_by').notNull().default('system'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('decisions_subject_uq').on(t.firmId, t.subjectKind, t.subjectId)],
);

/** The coordinator's list. `dedupeKey` makes raising the same exception twice a no-op. */
export const exceptions = pgTable(
  'exceptions',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    kind: text('kind').notNull(),
    status: text('status').notNull().default('open'),
    subjectKind: text('subject_kind').notNull(),
    subjectId: text('subject_id').notNull(),
    reason: text('reason').notNull(),
    candidates: jsonb('candidates').notNull().default(sql`'[]'::jsonb`),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    dedupeKey: text('dedupe_key').notNull(),
    createdAt: createdAt(),
    resolvedAt: tstz('resolved_at'),
    resolvedBy: text('resolved_by'),
    resolution: jsonb('resolution'),
  },
  (t) => [
    uniqueIndex('exceptions_dedupe_uq').on(t.firmId, t.dedupeKey),
    index('exceptions_list_idx').on(t.firmId, t.status, t.kind, t.createdAt),
  ],
);
