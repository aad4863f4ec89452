import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import type { Candidate, ExceptionKind, ExceptionStatus } from '../../canonical/index.js';
import { exceptions } from '../schema/index.js';
import type { DbOrTx } from '../types.js';

export interface RaiseException {
  firmId: string;
  kind: ExceptionKind;
  subjectKind: string;
  subjectId: string;
  reason: string;
  candidates?: Candidate[];
  details?: Record<string, unknown>;
  /** Same key, same exception: raising it again changes nothing. Default: kind + subject. */
  dedupeKey?: string;
}

/** Raise an exception once; returns its id and whether it is new. */
export async function raiseException(
  db: DbOrTx,
  e: RaiseException,
): Promise<{ id: string; created: boolean }> {
  const dedupeKey = e.dedupeKey ?? `${e.kind}:${e.subjectKind}:${e.subjectId}`;
  const inserted = await db
    .insert(exceptions)
    .values({
      firmId: e.firmId,
      kind: e.kind,
      subjectKind: e.subjectKind,
      subjectId: e.subjectId,
      reason: e.reason,
      candidates: e.candidates ?? [],
      details: e.details ?? {},
      dedupeKey,
    })
    .onConflictDoNothing({ target: [exceptions.firmId, exceptions.dedupeKey] })
    .returning({ id: exceptions.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [row] = await db
    .select({ id: exceptions.id })
    .from(exceptions)
    .where(and(eq(exceptions.firmId, e.firmId), eq(exceptions.dedupeKey, dedupeKey)));
  return { id: row!.id, created: false };
}

export type ExceptionRow = typeof exceptions.$inferSelect;

export async function listExceptions(
  db: DbOrTx,
  q: {
    firmId: string;
    status?: ExceptionStatus | undefined;
    kind?: string | undefined;
    limit: number;
    after?: { k: string; id: string } | null;
  },
): Promise<ExceptionRow[]> {
  const conds = [eq(exceptions.firmId, q.firmId)];
  if (q.status) conds.push(eq(exceptions.status, q.status));
  if (q.kind) conds.push(eq(exceptions.kind, q.kind));
  if (q.after) {
    const at = new Date(q.after.k);
    conds.push(
      or(gt(exceptions.createdAt, at), and(eq(exceptions.createdAt, at), gt(exceptions.id, q.after.id)))!,
    );
  }
  return db
    .select()
    .from(exceptions)
    .where(and(...conds))
    .orderBy(asc(exceptions.createdAt), asc(exceptions.id))
    .limit(q.limit);
}

export async function countExceptionsByKind(db: DbOrTx, firmId: string): Promise<Record<string, number>> {
  const rows = await db
    .select({ kind: exceptions.kind, n: sql<number>`count(*)::int` })
    .from(exceptions)
    .where(and(eq(exceptions.firmId, firmId), eq(exceptions.status, 'open')))
    .groupBy(exceptions.kind);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}
