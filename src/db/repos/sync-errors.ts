import { and, asc, eq, gt, or } from 'drizzle-orm';
import { syncErrors } from '../schema/index.js';
import type { DbOrTx } from '../types.js';

export type SyncErrorRow = typeof syncErrors.$inferSelect;

export async function listSyncErrors(
  db: DbOrTx,
  q: {
    firmId: string;
    connectionId?: string | undefined;
    limit: number;
    after?: { k: string; id: string } | null;
  },
): Promise<SyncErrorRow[]> {
  const conds = [eq(syncErrors.firmId, q.firmId)];
  if (q.connectionId) conds.push(eq(syncErrors.connectionId, q.connectionId));
  if (q.after) {
    const at = new Date(q.after.k);
    conds.push(
      or(gt(syncErrors.createdAt, at), and(eq(syncErrors.createdAt, at), gt(syncErrors.id, q.after.id)))!,
    );
  }
  return db
    .select()
    .from(syncErrors)
    .where(and(...conds))
    .orderBy(asc(syncErrors.createdAt), asc(syncErrors.id))
    .limit(q.limit);
}
