import { and, asc, eq, gt, or } from 'drizzle-orm';
import { reconciliationDecisions } from '../db/schema/index.js';
import type { DbOrTx } from '../db/types.js';
import { loadInvoices } from './load.js';
import type { InvoiceView } from './model.js';

/** Open invoices of a firm (authorised, open balance > 0), the balance derived from applications. */
export async function openInvoices(db: DbOrTx, firmId: string): Promise<InvoiceView[]> {
  return loadInvoices(db, firmId, true);
}

export type DecisionRow = typeof reconciliationDecisions.$inferSelect;

/** A firm's reconciliation decisions, oldest first, keyset-paged on (created_at, id). */
export async function listDecisions(
  db: DbOrTx,
  q: {
    firmId: string;
    subjectKind?: string | undefined;
    outcome?: string | undefined;
    limit: number;
    after?: { k: string; id: string } | null;
  },
): Promise<DecisionRow[]> {
  const d = reconciliationDecisions;
  const conds = [eq(d.firmId, q.firmId)];
  if (q.subjectKind) conds.push(eq(d.subjectKind, q.subjectKind));
  if (q.outcome) conds.push(eq(d.outcome, q.outcome));
  if (q.after) {
    const at = new Date(q.after.k);
    conds.push(or(gt(d.createdAt, at), and(eq(d.createdAt, at), gt(d.id, q.after.id)))!);
  }
  return db
    .select()
    .from(d)
    .where(and(...conds))
    .orderBy(asc(d.createdAt), asc(d.id))
    .limit(q.limit);
}
