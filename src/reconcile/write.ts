import { raiseException } from '../db/repos/exceptions.js';
import { applications, reconciliationDecisions } from '../db/schema/index.js';
import type { DbOrTx } from '../db/types.js';
import type { PlannedDecision } from './model.js';

const CHUNK = 500;

/**
 * Store planned decisions with their applications and exceptions, in the caller's transaction. A
 * decision is unique per subject: one that already exists is left as it is, and nothing of it is
 * written (re-running changes nothing decided). Returns how many decisions were new.
 */
export async function writeDecisions(
  tx: DbOrTx,
  firmId: string,
  decisions: PlannedDecision[],
  now: Date,
): Promise<number> {
  let written = 0;
  for (let i = 0; i < decisions.length; i += CHUNK) {
    const chunk = decisions.slice(i, i + CHUNK);
    const rows = await tx
      .insert(reconciliationDecisions)
      .values(
        chunk.map((d) => ({
          firmId,
          subjectKind: d.subjectKind,
          subjectId: d.subjectId,
          method: d.method,
          outcome: d.outcome,
          confidence: Math.max(0, Math.min(1000, Math.round(d.confidence))),
          evidence: d.evidence,
          decidedBy: 'system',
          createdAt: now,
        })),
      )
      .onConflictDoNothing({
        target: [
          reconciliationDecisions.firmId,
          reconciliationDecisions.subjectKind,
          reconciliationDecisions.subjectId,
        ],
      })
      .returning({
        id: reconciliationDecisions.id,
        subjectKind: reconciliationDecisions.subjectKind,
        subjectId: reconciliationDecisions.subjectId,
      });
    const idOf = new Map(rows.map((r) => [`${r.subjectKind}:${r.subjectId}`, r.id]));
    const fresh = chunk.flatMap((d) => {
      const id = idOf.get(`${d.subjectKind}:${d.subjectId}`);
      return id ? [{ d, id }] : [];
    });
    written += fresh.length;

    const apps = fresh.flatMap(({ d, id }) => {
      if (!d.applications.length) return [];
      if (!d.applicationDate || !d.applicationSource)
        throw new Error(
          `decision on ${d.subjectKind} ${d.subjectId} applies money without a source and date`,
        );
      const date = d.applicationDate;
      const source = d.applicationSource;
      return d.applications.map((a) => ({
        firmId,
        connectionId: a.invoice.connectionId,
        origin: 'ledgerbridge',
        key: `${d.subjectKind}:${d.subjectId}:${a.invoice.id}`,
        source,
        sourceExternalId: d.sourceExternalId ?? null,
        sourceId: d.subjectId,
        invoiceId: a.invoice.id,
        invoiceExternalId: a.invoice.externalId,
        date,
        amountMinor: a.amountMinor,
        currency: a.invoice.currency,
        status: 'active',
        decisionId: id,
        createdAt: now,
      }));
    });
    for (let j = 0; j < apps.length; j += CHUNK)
      await tx
        .insert(applications)
        .values(apps.slice(j, j + CHUNK))
        .onConflictDoNothing({ target: [applications.firmId, applications.origin, applications.key] });

    for (const { d, id } of fresh) {
      if (!d.exception) continue;
      await raiseException(tx, {
        firmId,
        kind: d.exception.kind,
        subjectKind: d.subjectKind,
        subjectId: d.subjectId,
        reason: d.exception.reason,
        candidates: d.exception.candidates,
        details: { ...d.exception.details, decisionId: id },
      });
    }
  }
  return written;
}
