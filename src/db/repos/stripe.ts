import { and, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import {
  stripeBalanceTransactions,
  stripePayments,
  stripePayouts,
  stripeSettlementLines,
  stripeSettlements,
} from '../schema/index.js';
import type { DbOrTx } from '../types.js';

/** Stripe lists for the API: newest first, keyset-paged on (created, id), scoped by firm. */
export type StripePaymentRow = typeof stripePayments.$inferSelect;
export type StripePayoutRow = typeof stripePayouts.$inferSelect;
export type StripeSettlementRow = typeof stripeSettlements.$inferSelect;
export type StripeSettlementLineRow = typeof stripeSettlementLines.$inferSelect;

interface ListQuery {
  firmId: string;
  connectionId?: string | undefined;
  limit: number;
  after?: { k: string; id: string } | null;
}

export async function listStripePayments(
  db: DbOrTx,
  q: ListQuery & { state?: string | undefined },
): Promise<{ p: StripePaymentRow; payoutId: string | null }[]> {
  const conds: SQL[] = [eq(stripePayments.firmId, q.firmId)];
  if (q.connectionId) conds.push(eq(stripePayments.connectionId, q.connectionId));
  if (q.state) conds.push(eq(stripePayments.state, q.state));
  if (q.after) {
    const at = new Date(q.after.k);
    conds.push(
      or(
        lt(stripePayments.stripeCreatedAt, at),
        and(eq(stripePayments.stripeCreatedAt, at), lt(stripePayments.id, q.after.id)),
      )!,
    );
  }
  const rows = await db
    .select()
    .from(stripePayments)
    .where(and(...conds))
    .orderBy(desc(stripePayments.stripeCreatedAt), desc(stripePayments.id))
    .limit(q.limit);
  const txnIds = rows.map((r) => r.balanceTransactionId).filter((x): x is string => Boolean(x));
  const payoutOf = new Map<string, string | null>();
  if (txnIds.length) {
    const txns = await db
      .select({ id: stripeBalanceTransactions.externalId, payoutId: stripeBalanceTransactions.payoutId })
      .from(stripeBalanceTransactions)
      .where(
        and(
          eq(stripeBalanceTransactions.firmId, q.firmId),
          inArray(stripeBalanceTransactions.externalId, txnIds),
        ),
      );
    for (const t of txns) payoutOf.set(t.id, t.payoutId);
  }
  return rows.map((p) => ({
    p,
    payoutId: p.balanceTransactionId ? (payoutOf.get(p.balanceTransactionId) ?? null) : null,
  }));
}

export async function listStripePayouts(
  db: DbOrTx,
  q: ListQuery & { status?: string | undefined },
): Promise<
  { p: StripePayoutRow; settlement: StripeSettlementRow | null; lines: StripeSettlementLineRow[] }[]
> {
  const conds: SQL[] = [eq(stripePayouts.firmId, q.firmId)];
  if (q.connectionId) conds.push(eq(stripePayouts.connectionId, q.connectionId));
  if (q.status) conds.push(eq(stripePayouts.status, q.status));
  if (q.after) {
    const at = new Date(q.after.k);
    conds.push(
      or(
        lt(stripePayouts.stripeCreatedAt, at),
        and(eq(stripePayouts.stripeCreatedAt, at), lt(stripePayouts.id, q.after.id)),
      )!,
    );
  }
  const rows = await db
    .select()
    .from(stripePayouts)
    .where(and(...conds))
    .orderBy(desc(stripePayouts.stripeCreatedAt), desc(stripePayouts.id))
    .limit(q.limit);
  if (rows.length === 0) return [];
  const settlements = await db
    .select()
    .from(stripeSettlements)
    .where(
      and(
        eq(stripeSettlements.firmId, q.firmId),
        inArray(
          stripeSettlements.payoutExternalId,
          rows.map((r) => r.externalId),
        ),
      ),
    );
  const lines = settlements.length
    ? await db
        .select()
        .from(stripeSettlementLines)
        .where(
          inArray(
            stripeSettlementLines.settlementId,
            settlements.map((s) => s.id),
          ),
        )
        .orderBy(stripeSettlementLines.kind, stripeSettlementLines.balanceTransactionId)
    : [];
  return rows.map((p) => {
    const s =
      settlements.find((x) => x.connectionId === p.connectionId && x.payoutExternalId === p.externalId) ??
      null;
    return { p, settlement: s, lines: s ? lines.filter((l) => l.settlementId === s.id) : [] };
  });
}
