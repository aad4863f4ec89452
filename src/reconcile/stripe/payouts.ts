import { and, eq, gte, inArray, isNull, lte, notExists, sql } from 'drizzle-orm';
import { addDays } from '../../canonical/dates.js';
import type { StripeBalanceTransaction, StripePayout } from '../../canonical/stripe.js';
import { raiseException } from '../../db/repos/exceptions.js';
import {
  applications,
  bankLines,
  reconciliationDecisions,
  stripeRefunds,
  stripeSettlementLines,
  stripeSettlements,
} from '../../db/schema/index.js';
import type { Db, DbOrTx } from '../../db/types.js';
import { findInvoiceForCharge, type InvoiceMatch } from './invoices.js';
import { explodeSettlement, type SettlementBreakdown } from './settlement.js';

/**
 * Payout settlement, over stored Stripe objects (no provider code):
 * 1. a paid automatic payout's balance transactions become a settlement (awaiting its deposit) whose
 *    lines sum to the payout; a charge line carries its invoice when the charge's metadata names one;
 * 2. a bank line equal to the payout (same currency, near its arrival date, not yet claimed) reconciles
 *    the settlement: the matched charges are applied to their invoices (refunds against them), the fees
 *    stay one fee posting, and the decision records the breakdown as evidence;
 * 3. a payout that fails after it was paid reverses its settlement and what it applied.
 */
export interface Scope {
  firmId: string;
  connectionId: string;
}

export type SettlementRow = typeof stripeSettlements.$inferSelect;

/** Days around a payout's arrival date within which its bank line may be booked. */
export const DEPOSIT_WINDOW = { before: 2, after: 5 } as const;

export async function recordSettlement(
  db: Db,
  scope: Scope,
  payout: StripePayout,
  txns: StripeBalanceTransaction[],
): Promise<{ settlement: SettlementRow; created: boolean }> {
  const [existing] = await db
    .select()
    .from(stripeSettlements)
    .where(
      and(
        eq(stripeSettlements.firmId, scope.firmId),
        eq(stripeSettlements.connectionId, scope.connectionId),
        eq(stripeSettlements.payoutExternalId, payout.externalId),
      ),
    );
  if (existing) return { settlement: existing, created: false };

  const { breakdown, lines } = explodeSettlement(payout, txns);
  const status = breakdown.differenceMinor === 0 ? 'awaiting_deposit' : 'mismatch';
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(stripeSettlements)
      .values({
        ...scope,
        payoutExternalId: payout.externalId,
        status,
        amountMinor: payout.amountMinor,
        currency: payout.currency,
        arrivalDate: payout.arrivalDate,
        breakdown,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const [again] = await tx
        .select()
        .from(stripeSettlements)
        .where(
          and(
            eq(stripeSettlements.firmId, scope.firmId),
            eq(stripeSettlements.connectionId, scope.connectionId),
            eq(stripeSettlements.payoutExternalId, payout.externalId),
          ),
        );
      return { settlement: again!, created: false };
    }
    const refundCharges = await chargesOfRefunds(
      tx,
      scope,
      lines.filter((l) => l.kind === 'refund').map((l) => l.sourceId ?? ''),
    );
    for (const l of lines) {
      let match: InvoiceMatch | null = null;
      const chargeId =
        l.kind === 'charge' ? l.sourceId : l.kind === 'refund' ? refundCharges.get(l.sourceId ?? '') : null;
      if (chargeId) match = await findInvoiceForCharge(tx, scope, chargeId);
      const currencyOk = match ? match.currency === l.currency : false;
      await tx.insert(stripeSettlementLines).values({
        firmId: scope.firmId,
        settlementId: row.id,
        kind: l.kind,
        balanceTransactionId: l.balanceTransactionId,
        sourceId: l.sourceId,
        amountMinor: l.amountMinor,
        currency: l.currency,
        matchStatus:
          l.kind === 'charge' || l.kind === 'refund'
            ? match && currencyOk
              ? 'matched'
              : 'to_cash_application'
            : null,
        invoiceId: match && currencyOk ? match.invoiceId : null,
        invoiceExternalId: match && currencyOk ? match.invoiceExternalId : null,
        description: l.description,
      });
    }
    if (status === 'mismatch') {
      await raiseException(tx, {
        firmId: scope.firmId,
        kind: 'payout_mismatch',
        subjectKind: 'stripe_payout',
        subjectId: payout.externalId,
        reason: `payout ${payout.externalId} of ${payout.amountMinor} ${payout.currency} differs from the sum of its balance transactions by ${breakdown.differenceMinor}`,
        details: { breakdown },
      });
    }
    return { settlement: row, created: true };
  });
}

async function chargesOfRefunds(db: DbOrTx, scope: Scope, refundIds: string[]): Promise<Map<string, string>> {
  const ids = refundIds.filter(Boolean);
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: stripeRefunds.externalId, chargeId: stripeRefunds.chargeId })
    .from(stripeRefunds)
    .where(and(eq(stripeRefunds.firmId, scope.firmId), inArray(stripeRefunds.externalId, ids)));
  return new Map(rows.filter((r) => r.chargeId).map((r) => [r.id, r.chargeId!]));
}

/** A payout Stripe paid by hand: balance_transactions?payout= refuses it, so a person reconciles it. */
export async function raiseManualPayout(db: DbOrTx, scope: Scope, payout: StripePayout): Promise<void> {
  await raiseException(db, {
    firmId: scope.firmId,
    kind: 'payout_manual',
    subjectKind: 'stripe_payout',
    subjectId: payout.externalId,
    reason: `payout ${payout.externalId} (${payout.amountMinor} ${payout.currency}, ${payout.arrivalDate}) is a manual payout: Stripe does not list the transactions it settles, so it cannot be exploded automatically`,
    details: { connectionId: scope.connectionId, arrivalDate: payout.arrivalDate },
  });
}

/**
 * Reconcile every settlement awaiting its deposit against the firm's bank lines: exactly one unclaimed
 * line of the same amount and currency within the window. Returns the settlements reconciled.
 */
export async function reconcileDeposits(db: DbOrTx, firmId: string): Promise<string[]> {
  const waiting = await db
    .select()
    .from(stripeSettlements)
    .where(and(eq(stripeSettlements.firmId, firmId), eq(stripeSettlements.status, 'awaiting_deposit')));
  const done: string[] = [];
  for (const s of waiting) {
    const candidates = await db
      .select({ id: bankLines.id, bookingDate: bankLines.bookingDate, remittance: bankLines.remittance })
      .from(bankLines)
      .where(
        and(
          eq(bankLines.firmId, firmId),
          eq(bankLines.amountMinor, s.amountMinor),
          eq(bankLines.currency, s.currency),
          gte(bankLines.bookingDate, addDays(s.arrivalDate, -DEPOSIT_WINDOW.before)),
          lte(bankLines.bookingDate, addDays(s.arrivalDate, DEPOSIT_WINDOW.after)),
          isNull(bankLines.unappliedAt),
          notExists(
            db
              .select({ one: sql`1` })
              .from(reconciliationDecisions)
              .where(
                and(
                  eq(reconciliationDecisions.firmId, firmId),
                  eq(reconciliationDecisions.subjectKind, 'bank_line'),
                  eq(reconciliationDecisions.subjectId, bankLines.id),
                ),
              ),
          ),
        ),
      );
    if (candidates.length !== 1) continue; // none yet, or ambiguous: left to cash application / a person
    const line = candidates[0]!;
    const ok = await db.transaction(async (tx) => {
      const [claimed] = await tx
        .update(stripeSettlements)
        .set({ status: 'reconciled', bankLineId: line.id, reconciledAt: sql`now()` })
        .where(and(eq(stripeSettlements.id, s.id), eq(stripeSettlements.status, 'awaiting_deposit')))
        .returning({ id: stripeSettlements.id });
      if (!claimed) return false;
      const applied = await applySettlementLines(tx, s, line.id, line.bookingDate);
      await tx
        .insert(reconciliationDecisions)
        .values({
          firmId,
          subjectKind: 'bank_line',
          subjectId: line.id,
          method: 'stripe_payout',
          outcome: 'reconciled',
          confidence: 1000,
          evidence: {
            payout: s.payoutExternalId,
            settlementId: s.id,
            breakdown: s.breakdown as SettlementBreakdown,
            applied,
            why: `bank line equals Stripe payout ${s.payoutExternalId} (${s.amountMinor} ${s.currency}) within ${DEPOSIT_WINDOW.before}/${DEPOSIT_WINDOW.after} days of its arrival date`,
          },
        })
        .onConflictDoNothing();
      return true;
    });
    if (ok) done.push(s.id);
  }
  return done;
}

/** Apply the matched charge and refund lines of a reconciled settlement to their invoices. */
async function applySettlementLines(
  tx: DbOrTx,
  s: SettlementRow,
  bankLineId: string,
  date: string,
): Promise<{ invoiceExternalId: string; amountMinor: number; key: string }[]> {
  const lines = await tx
    .select()
    .from(stripeSettlementLines)
    .where(
      and(eq(stripeSettlementLines.settlementId, s.id), eq(stripeSettlementLines.matchStatus, 'matched')),
    );
  const out: { invoiceExternalId: string; amountMinor: number; key: string }[] = [];
  for (const l of lines) {
    if (!l.invoiceId || !l.invoiceExternalId || !l.sourceId) continue;
    const key = `stripe_${l.kind}:${l.sourceId}`;
    const [app] = await tx
      .insert(applications)
      .values({
        firmId: s.firmId,
        connectionId: s.connectionId,
        origin: 'ledgerbridge',
        key,
        source: 'stripe_charge',
        sourceExternalId: l.sourceId,
        sourceId: bankLineId,
        invoiceId: l.invoiceId,
        invoiceExternalId: l.invoiceExternalId,
        date,
        amountMinor: l.amountMinor,
        currency: l.currency,
        status: 'active',
      })
      .onConflictDoUpdate({
        target: [applications.firmId, applications.origin, applications.key],
        set: { status: 'active', sourceId: bankLineId },
      })
      .returning({ id: applications.id });
    await tx
      .update(stripeSettlementLines)
      .set({ matchStatus: 'applied', applicationId: app!.id })
      .where(eq(stripeSettlementLines.id, l.id));
    out.push({ invoiceExternalId: l.invoiceExternalId, amountMinor: l.amountMinor, key });
  }
  return out;
}

/** A payout paid and then failed: its settlement and everything it applied are reversed. */
export async function reverseSettlement(db: Db, scope: Scope, payout: StripePayout): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [s] = await tx
      .update(stripeSettlements)
      .set({ status: 'reversed', reversedAt: sql`now()` })
      .where(
        and(
          eq(stripeSettlements.firmId, scope.firmId),
          eq(stripeSettlements.connectionId, scope.connectionId),
          eq(stripeSettlements.payoutExternalId, payout.externalId),
          sql`${stripeSettlements.status} <> 'reversed'`,
        ),
      )
      .returning();
    if (!s) return false;
    const lines = await tx
      .select({ id: stripeSettlementLines.id, applicationId: stripeSettlementLines.applicationId })
      .from(stripeSettlementLines)
      .where(eq(stripeSettlementLines.settlementId, s.id));
    const appIds = lines.map((l) => l.applicationId).filter((x): x is string => Boolean(x));
    if (appIds.length) {
      await tx.update(applications).set({ status: 'reversed' }).where(inArray(applications.id, appIds));
      await tx
        .update(stripeSettlementLines)
        .set({ matchStatus: 'reversed' })
        .where(inArray(stripeSettlementLines.applicationId, appIds));
    }
    await raiseException(tx, {
      firmId: scope.firmId,
      kind: 'payout_mismatch',
      subjectKind: 'stripe_payout',
      subjectId: payout.externalId,
      reason: `payout ${payout.externalId} failed after it was paid${payout.failureCode ? ` (${payout.failureCode})` : ''}: its settlement and ${appIds.length} invoice application(s) were reversed`,
      details: { settlementId: s.id, bankLineId: s.bankLineId, failureCode: payout.failureCode },
      dedupeKey: `payout_failed:${payout.externalId}`,
    });
    return true;
  });
}
