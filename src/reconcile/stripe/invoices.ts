import { and, eq, inArray, isNull } from 'drizzle-orm';
import { raiseException } from '../../db/repos/exceptions.js';
import { invoices, stripeDisputes, stripePayments } from '../../db/schema/index.js';
import type { DbOrTx } from '../../db/types.js';

/**
 * Which of the firm's invoices a Stripe charge pays: the invoice number or id its metadata (or its
 * payment intent's) carries, found among the firm's open books. Only a unique hit counts; anything else
 * is left to the cash-application tiers.
 */
export interface InvoiceMatch {
  invoiceId: string;
  invoiceExternalId: string;
  number: string | null;
  currency: string;
  via: 'metadata_invoice_id' | 'metadata_invoice_number';
}

export async function findInvoiceByRef(
  db: DbOrTx,
  firmId: string,
  ref: { number: string | null; externalId: string | null },
): Promise<InvoiceMatch | null> {
  const select = (cond: ReturnType<typeof eq>) =>
    db
      .select({
        id: invoices.id,
        externalId: invoices.externalId,
        number: invoices.number,
        currency: invoices.currency,
      })
      .from(invoices)
      .where(and(eq(invoices.firmId, firmId), isNull(invoices.vanishedAt), cond))
      .limit(2);
  if (ref.externalId) {
    const rows = await select(eq(invoices.externalId, ref.externalId));
    if (rows.length === 1) {
      const r = rows[0]!;
      return {
        invoiceId: r.id,
        invoiceExternalId: r.externalId,
        number: r.number,
        currency: r.currency,
        via: 'metadata_invoice_id',
      };
    }
  }
  if (ref.number) {
    const rows = await select(eq(invoices.number, ref.number));
    if (rows.length === 1) {
      const r = rows[0]!;
      return {
        invoiceId: r.id,
        invoiceExternalId: r.externalId,
        number: r.number,
        currency: r.currency,
        via: 'metadata_invoice_number',
      };
    }
  }
  return null;
}

export async function findInvoiceForCharge(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
  chargeId: string,
): Promise<InvoiceMatch | null> {
  const [p] = await db
    .select({ number: stripePayments.invoiceNumber, externalId: stripePayments.invoiceExternalId })
    .from(stripePayments)
    .where(
      and(
        eq(stripePayments.firmId, scope.firmId),
        eq(stripePayments.connectionId, scope.connectionId),
        eq(stripePayments.externalId, chargeId),
      ),
    );
  if (!p) return null;
  return findInvoiceByRef(db, scope.firmId, p);
}

/**
 * Disputes mark their invoice disputed (which pauses reminders) while open or lost; a won or closed
 * dispute clears the mark. Funds withdrawn while a dispute is open are not a loss: only `lost` is.
 * An open dispute also reaches the exceptions list once.
 */
export async function applyDisputes(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
  disputeIds: string[],
): Promise<{ marked: string[]; cleared: string[] }> {
  const out = { marked: [] as string[], cleared: [] as string[] };
  if (disputeIds.length === 0) return out;
  const rows = await db
    .select()
    .from(stripeDisputes)
    .where(
      and(
        eq(stripeDisputes.firmId, scope.firmId),
        eq(stripeDisputes.connectionId, scope.connectionId),
        inArray(stripeDisputes.externalId, disputeIds),
      ),
    );
  for (const d of rows) {
    let match = await findInvoiceByRef(db, scope.firmId, {
      number: d.invoiceNumber,
      externalId: d.invoiceExternalId,
    });
    if (!match && d.chargeId) match = await findInvoiceForCharge(db, scope, d.chargeId);
    const disputed = d.outcome === 'open' || d.outcome === 'lost';
    if (match) {
      await db.update(invoices).set({ disputed }).where(eq(invoices.id, match.invoiceId));
      (disputed ? out.marked : out.cleared).push(match.invoiceExternalId);
    }
    if (d.outcome === 'open') {
      await raiseException(db, {
        firmId: scope.firmId,
        kind: 'dispute_opened',
        subjectKind: 'stripe_dispute',
        subjectId: d.externalId,
        reason: match
          ? `Stripe dispute ${d.externalId} (${d.reason ?? 'no reason given'}) on the payment of invoice ${match.number ?? match.invoiceExternalId}: the invoice is marked disputed`
          : `Stripe dispute ${d.externalId} (${d.reason ?? 'no reason given'}) on charge ${d.chargeId ?? '(unknown)'}, whose invoice is not known`,
        details: {
          chargeId: d.chargeId,
          amountMinor: d.amountMinor,
          currency: d.currency,
          invoiceExternalId: match?.invoiceExternalId ?? null,
        },
      });
    }
  }
  return out;
}
