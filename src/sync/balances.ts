import { and, eq, sql } from 'drizzle-orm';
import { formatMinor } from '../canonical/index.js';
import { rowsOf } from '../db/migrate.js';
import { raiseException } from '../db/repos/exceptions.js';
import { exceptions } from '../db/schema/index.js';
import type { DbOrTx } from '../db/types.js';

/**
 * An invoice's open balance is derived from its applications. Where that differs from the provider's own
 * figure (Xero AmountDue, QBO Balance), raise `balance_mismatch`; never overwrite either. When they agree
 * again, the open exception resolves itself.
 */
export async function checkBalances(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
): Promise<number> {
  const rows = rowsOf<{ id: string; number: string | null; currency: string; open: string; due: string }>(
    await db.execute(sql`
      select i.id, i.number, i.currency, i.provider_amount_due_minor::text as due,
             (case when i.status in ('voided','deleted','draft') then 0
                   else i.total_minor - coalesce(a.applied, 0) end)::text as open
      from invoices i
      left join (
        select connection_id, invoice_external_id, sum(amount_minor) as applied
        from applications
        where firm_id = ${scope.firmId} and status = 'active' and origin = 'provider'
        group by connection_id, invoice_external_id
      ) a on a.connection_id = i.connection_id and a.invoice_external_id = i.external_id
      where i.firm_id = ${scope.firmId} and i.connection_id = ${scope.connectionId}
        and i.provider_amount_due_minor is not null and i.vanished_at is null`),
  );
  let raised = 0;
  for (const r of rows) {
    const open = Number(r.open);
    const due = Number(r.due);
    if (open === due) {
      await db
        .update(exceptions)
        .set({
          status: 'resolved',
          resolvedAt: new Date(),
          resolvedBy: 'system',
          resolution: { note: 'balances agree again' },
        })
        .where(
          and(
            eq(exceptions.firmId, scope.firmId),
            eq(exceptions.kind, 'balance_mismatch'),
            eq(exceptions.subjectId, r.id),
            eq(exceptions.status, 'open'),
          ),
        );
      continue;
    }
    const res = await raiseException(db, {
      firmId: scope.firmId,
      kind: 'balance_mismatch',
      subjectKind: 'invoice',
      subjectId: r.id,
      reason: `invoice ${r.number ?? r.id}: the provider says ${formatMinor(due, r.currency)} ${r.currency} is due, but its payments and credits leave ${formatMinor(open, r.currency)} ${r.currency} open`,
      details: { derivedOpenMinor: open, providerAmountDueMinor: due, currency: r.currency },
      dedupeKey: `balance_mismatch:${r.id}:${open}:${due}`,
    });
    if (res.created) raised++;
  }
  return raised;
}
