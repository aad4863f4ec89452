import { raiseException } from '../db/repos/exceptions.js';
import { applications, reconciliationDecisions } from '../db/schema/index.js';
import type { DbOrTx } from '../db/types.js';
import type { PlannedDecision } from './model.js';

/**
 * Store one planned decision with its applications and exception. The decision is unique per subject:
 * when one already exists nothing is written (re-running changes nothing decided). Returns whether it
 * was new.
 */
export async function writeDecision(
  tx: DbOrTx,
  firmId: string,
  d: PlannedDecision,
  now: Date,
): Promise<boolean> {
  const [row] = await tx
    .insert(reconciliationDecisions)
    .values({
      firmId,
      subjectKind: d.subjectKind,
      subjectId: d.subjectId,
      method: d.method,
      outcome: d.outcome,
      confidence: Math.max(0, Math.min(1000, Math.round(d.confidence))),
      evidence: d.evidence,
      decidedBy: 'system',
      createdAt: now,
    })
    .onConflictDoNothing({
      target: [
        reconciliationDecisions.firmId,
        reconciliationDecisions.subjectKind,
        reconciliationDecisions.subjectId,
      ],
    })
    .returning({ id: reconciliationDecisions.id });
  if (!row) return false;
  if (d.applications.length) {
    const applicationDate = d.applicationDate;
    if (!applicationDate)
      throw new Error(`decision on ${d.subjectKind} ${d.subjectId} applies money without a date`);
    await tx
      .insert(applications)
      .values(
        d.applications.map((a) => ({
          firmId,
          connectionId: a.invoice.connectionId,
          origin: 'ledgerbridge',
          key: `${d.subjectKind}:${d.subjectId}:${a.invoice.id}`,
          source: d.applicationSource ?? 'bank_line',
          sourceExternalId: d.sourceExternalId ?? null,
          sourceId: d.subjectId,
          invoiceId: a.invoice.id,
          invoiceExternalId: a.invoice.externalId,
          date: applicationDate,
          amountMinor: a.amountMinor,
          currency: a.invoice.currency,
          status: 'active',
          decisionId: row.id,
          createdAt: now,
        })),
      )
      .onConflictDoNothing({ target: [applications.firmId, applications.origin, applications.key] });
  }
  if (d.exception) {
    await raiseException(tx, {
      firmId,
      kind: d.exception.kind,
      subjectKind: d.subjectKind,
      subjectId: d.subjectId,
      reason: d.exception.reason,
      candidates: d.exception.candidates,
      details: { ...d.exception.details, decisionId: row.id },
    });
  }
  return true;
}
