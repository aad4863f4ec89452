import { auditLog } from '../schema/index.js';
import type { DbOrTx } from '../types.js';

export interface AuditEntry {
  firmId: string | null;
  actor: string;
  action: string;
  subjectKind?: string;
  subjectId?: string;
  details?: Record<string, unknown>;
}

/** Append to the audit log, in the caller's transaction where there is one. */
export async function audit(db: DbOrTx, e: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    firmId: e.firmId,
    actor: e.actor,
    action: e.action,
    subjectKind: e.subjectKind ?? null,
    subjectId: e.subjectId ?? null,
    details: e.details ?? {},
  });
}
