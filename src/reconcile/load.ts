import { and, asc, eq, gt, inArray, isNotNull, isNull, ne, notInArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  applications,
  bankAccounts,
  bankLines,
  bankTransactions,
  contacts,
  invoices,
  payments,
  prepayments,
  reconciliationDecisions,
} from '../db/schema/index.js';
import type { DbOrTx } from '../db/types.js';
import type {
  BankAccountView,
  BankLineView,
  BookRecordView,
  ContactView,
  CreditView,
  DirectReceiptView,
  InvoiceView,
  Snapshot,
  TextField,
} from './model.js';

/** Statuses whose money no longer exists. */
const GONE = ['deleted', 'voided'];

/** Read one firm's canonical rows into the engine's view (inside the run's transaction). */
export async function loadSnapshot(db: DbOrTx, firmId: string): Promise<Snapshot> {
  const decided = await db
    .select({
      subjectKind: reconciliationDecisions.subjectKind,
      subjectId: reconciliationDecisions.subjectId,
      claimed: sql<unknown>`case when ${reconciliationDecisions.method} = 'already_in_books'
        then ${reconciliationDecisions.evidence} -> 'claimed' end`,
    })
    .from(reconciliationDecisions)
    .where(eq(reconciliationDecisions.firmId, firmId));
  const decidedIds = new Set(decided.map((d) => `${d.subjectKind}:${d.subjectId}`));
  const claimedBooks = new Set<string>();
  for (const d of decided) {
    if (d.claimed === null || d.claimed === undefined) continue;
    const parsed = Claimed.safeParse(d.claimed);
    if (parsed.success) for (const c of parsed.data) claimedBooks.add(`${c.kind}:${c.id}`);
  }

  const [accounts, lineRows, invoiceRows, contactRows, books, credits, direct] = await Promise.all([
    db.select().from(bankAccounts).where(eq(bankAccounts.firmId, firmId)),
    db
      .select()
      .from(bankLines)
      .where(and(eq(bankLines.firmId, firmId), gt(bankLines.amountMinor, 0)))
      .orderBy(asc(bankLines.bookingDate), asc(bankLines.dedupeKey), asc(bankLines.id)),
    loadInvoices(db, firmId),
    db
      .select()
      .from(contacts)
      .where(
        and(
          eq(contacts.firmId, firmId),
          isNull(contacts.vanishedAt),
          notInArray(contacts.status, ['deleted']),
        ),
      ),
    loadBooks(db, firmId),
    loadCredits(db, firmId),
    loadDirectReceipts(db, firmId),
  ]);

  const accountById = new Map<string, BankAccountView>(
    accounts.map((a) => [
      a.id,
      {
        id: a.id,
        name: a.name,
        trust: a.trust,
        connectionId: a.connectionId,
        ledgerAccountExternalId: a.ledgerAccountExternalId,
        currency: a.currency,
      },
    ]),
  );
  const lines: BankLineView[] = [];
  let decidedLines = 0;
  for (const l of lineRows) {
    if (decidedIds.has(`bank_line:${l.id}`)) {
      decidedLines += 1;
      continue;
    }
    const account = accountById.get(l.bankAccountId)!;
    lines.push({
      id: l.id,
      dedupeKey: l.dedupeKey,
      account,
      date: l.bookingDate,
      amountMinor: l.amountMinor,
      currency: l.currency,
      counterpartyName: l.counterpartyName,
      counterpartyAccount: l.counterpartyAccount,
      texts: texts([
        ['remittance', l.remittance],
        ['counterparty', l.counterpartyName],
        ['bank_reference', l.bankReference],
        ['end_to_end_id', l.endToEndId],
      ]),
      unapplied: l.unappliedAt !== null,
    });
  }
  const openCredits = credits.filter((c) => !decidedIds.has(`prepayment:${c.id}`));
  return {
    firmId,
    lines,
    decidedLines,
    credits: openCredits,
    decidedCredits: credits.length - openCredits.length,
    directReceipts: direct.filter((r) => !decidedIds.has(`bank_transaction:${r.id}`)),
    books,
    claimedBooks,
    invoices: invoiceRows,
    contacts: contactRows.map(
      (c): ContactView => ({
        connectionId: c.connectionId,
        externalId: c.externalId,
        name: c.name,
        accountNumber: c.accountNumber,
      }),
    ),
  };
}

/** `evidence.claimed` of an already_in_books decision: the book records it took. */
const Claimed = z.array(
  z.object({ kind: z.enum(['payment', 'bank_transaction', 'prepayment']), id: z.string() }),
);

function texts(pairs: [TextField['field'], string | null][]): TextField[] {
  return pairs
    .filter((p): p is [TextField['field'], string] => Boolean(p[1]?.trim()))
    .map(([field, value]) => ({ field, value }));
}

/**
 * Σ active applications per invoice, provider and ledgerbridge: ours carry the invoice id; the
 * provider's are matched on connection and external id. Two grouped queries, not one per invoice.
 */
async function appliedByInvoice(db: DbOrTx, firmId: string) {
  const active = and(eq(applications.firmId, firmId), eq(applications.status, 'active'));
  const total = sql<string>`sum(${applications.amountMinor})`;
  const [ours, theirs] = await Promise.all([
    db
      .select({ invoiceId: applications.invoiceId, total })
      .from(applications)
      .where(and(active, isNotNull(applications.invoiceId)))
      .groupBy(applications.invoiceId),
    db
      .select({ connectionId: applications.connectionId, externalId: applications.invoiceExternalId, total })
      .from(applications)
      .where(and(active, isNull(applications.invoiceId)))
      .groupBy(applications.connectionId, applications.invoiceExternalId),
  ]);
  return {
    byId: new Map(ours.map((r) => [r.invoiceId!, Number(r.total)])),
    byExternal: new Map(theirs.map((r) => [`${r.connectionId}|${r.externalId}`, Number(r.total)])),
  };
}

/**
 * Invoices money can be applied to (authorised) and paid ones (so a reference to a paid invoice is
 * recognised), with the open balance derived from applications.
 */
export async function loadInvoices(db: DbOrTx, firmId: string, onlyOpen = false): Promise<InvoiceView[]> {
  const [applied, rows] = await Promise.all([
    appliedByInvoice(db, firmId),
    db
      .select({
        id: invoices.id,
        connectionId: invoices.connectionId,
        externalId: invoices.externalId,
        number: invoices.number,
        reference: invoices.reference,
        contactExternalId: invoices.contactExternalId,
        contactName: contacts.name,
        status: invoices.status,
        issueDate: invoices.issueDate,
        dueDate: invoices.dueDate,
        currency: invoices.currency,
        totalMinor: invoices.totalMinor,
      })
      .from(invoices)
      .leftJoin(
        contacts,
        and(
          eq(contacts.firmId, invoices.firmId),
          eq(contacts.connectionId, invoices.connectionId),
          eq(contacts.externalId, invoices.contactExternalId),
        ),
      )
      .where(
        and(
          eq(invoices.firmId, firmId),
          isNull(invoices.vanishedAt),
          inArray(invoices.status, onlyOpen ? ['authorised'] : ['authorised', 'paid']),
        ),
      )
      .orderBy(asc(invoices.dueDate), asc(invoices.issueDate), asc(invoices.number), asc(invoices.id)),
  ]);
  return rows
    .map((r) => {
      const used =
        (applied.byId.get(r.id) ?? 0) + (applied.byExternal.get(`${r.connectionId}|${r.externalId}`) ?? 0);
      // an invoice is open only while authorised; a paid one keeps no balance to apply to
      return { ...r, openMinor: r.status === 'authorised' ? r.totalMinor - used : 0 };
    })
    .filter((r) => !onlyOpen || r.openMinor > 0);
}

/** Money the books already hold on a bank ledger account: invoice payments, bank transactions, credits. */
async function loadBooks(db: DbOrTx, firmId: string): Promise<BookRecordView[]> {
  const [pays, bts, pps] = await Promise.all([
    db
      .select()
      .from(payments)
      .where(
        and(
          eq(payments.firmId, firmId),
          isNull(payments.vanishedAt),
          eq(payments.kind, 'invoice_payment'),
          eq(payments.status, 'authorised'),
          isNotNull(payments.bankLedgerAccountExternalId),
        ),
      ),
    db
      .select()
      .from(bankTransactions)
      .where(
        and(
          eq(bankTransactions.firmId, firmId),
          isNull(bankTransactions.vanishedAt),
          notInArray(bankTransactions.status, GONE),
          gt(bankTransactions.amountMinor, 0),
          isNotNull(bankTransactions.bankLedgerAccountExternalId),
        ),
      ),
    db
      .select()
      .from(prepayments)
      .where(
        and(
          eq(prepayments.firmId, firmId),
          isNull(prepayments.vanishedAt),
          notInArray(prepayments.status, GONE),
          eq(prepayments.direction, 'receive'),
          isNotNull(prepayments.bankLedgerAccountExternalId),
        ),
      ),
  ]);
  const out: BookRecordView[] = [];
  for (const p of pays) {
    // the payment's amount is in the invoice currency; the bank saw bankAmount when they differ
    out.push({
      kind: 'payment',
      id: p.id,
      externalId: p.externalId,
      connectionId: p.connectionId,
      ledgerAccountExternalId: p.bankLedgerAccountExternalId!,
      date: p.date,
      amountMinor: p.bankAmountMinor ?? p.amountMinor,
      currency: p.currency,
      reference: p.reference,
      unit: `payment:${p.id}`,
    });
  }
  for (const b of bts) {
    out.push({
      kind: 'bank_transaction',
      id: b.id,
      externalId: b.externalId,
      connectionId: b.connectionId,
      ledgerAccountExternalId: b.bankLedgerAccountExternalId!,
      date: b.date,
      amountMinor: b.amountMinor,
      currency: b.currency,
      reference: b.reference,
      unit: b.prepaymentExternalId
        ? `credit:${b.connectionId}:${b.prepaymentExternalId}`
        : `bank_transaction:${b.id}`,
    });
  }
  for (const p of pps) {
    out.push({
      kind: 'prepayment',
      id: p.id,
      externalId: p.externalId,
      connectionId: p.connectionId,
      ledgerAccountExternalId: p.bankLedgerAccountExternalId!,
      date: p.date,
      amountMinor: p.totalMinor,
      currency: p.currency,
      reference: p.reference,
      unit: `credit:${p.connectionId}:${p.externalId}`,
    });
  }
  return out;
}

/**
 * Received overpayments/prepayments with credit left: total − Σ active allocations (provider and ours)
 * − refunds paid out of it.
 */
async function loadCredits(db: DbOrTx, firmId: string): Promise<CreditView[]> {
  const credit = inArray(applications.source, ['overpayment', 'prepayment']);
  const active = and(eq(applications.firmId, firmId), eq(applications.status, 'active'), credit);
  const total = sql<string>`sum(${applications.amountMinor})`;
  const [ours, theirs, refunds] = await Promise.all([
    db
      .select({ sourceId: applications.sourceId, total })
      .from(applications)
      .where(and(active, eq(applications.origin, 'ledgerbridge')))
      .groupBy(applications.sourceId),
    db
      .select({ connectionId: applications.connectionId, externalId: applications.sourceExternalId, total })
      .from(applications)
      .where(and(active, ne(applications.origin, 'ledgerbridge')))
      .groupBy(applications.connectionId, applications.sourceExternalId),
    db
      .select({
        connectionId: payments.connectionId,
        externalId: payments.prepaymentExternalId,
        total: sql<string>`sum(${payments.amountMinor})`,
      })
      .from(payments)
      .where(
        and(
          eq(payments.firmId, firmId),
          eq(payments.status, 'authorised'),
          isNull(payments.vanishedAt),
          inArray(payments.kind, ['overpayment_refund', 'prepayment_refund']),
        ),
      )
      .groupBy(payments.connectionId, payments.prepaymentExternalId),
  ]);
  const oursBy = new Map(ours.map((r) => [r.sourceId, Number(r.total)]));
  const external = new Map<string, number>();
  for (const r of [...theirs, ...refunds]) {
    const k = `${r.connectionId}|${r.externalId}`;
    external.set(k, (external.get(k) ?? 0) + Number(r.total));
  }
  const rows = await db
    .select({
      id: prepayments.id,
      externalId: prepayments.externalId,
      connectionId: prepayments.connectionId,
      kind: prepayments.kind,
      contactExternalId: prepayments.contactExternalId,
      date: prepayments.date,
      currency: prepayments.currency,
      totalMinor: prepayments.totalMinor,
      reference: prepayments.reference,
    })
    .from(prepayments)
    .where(
      and(
        eq(prepayments.firmId, firmId),
        isNull(prepayments.vanishedAt),
        eq(prepayments.status, 'authorised'),
        eq(prepayments.direction, 'receive'),
      ),
    )
    .orderBy(asc(prepayments.date), asc(prepayments.externalId));
  return rows
    .map(
      (r): CreditView => ({
        id: r.id,
        externalId: r.externalId,
        connectionId: r.connectionId,
        kind: r.kind === 'prepayment' ? 'prepayment' : 'overpayment',
        contactExternalId: r.contactExternalId,
        date: r.date,
        currency: r.currency,
        remainingMinor:
          r.totalMinor - (oursBy.get(r.id) ?? 0) - (external.get(`${r.connectionId}|${r.externalId}`) ?? 0),
        texts: texts([['reference', r.reference]]),
      }),
    )
    .filter((c) => c.remainingMinor > 0);
}

/** RECEIVE bank transactions (not an overpayment's or prepayment's money). */
async function loadDirectReceipts(db: DbOrTx, firmId: string): Promise<DirectReceiptView[]> {
  const rows = await db
    .select()
    .from(bankTransactions)
    .where(
      and(
        eq(bankTransactions.firmId, firmId),
        isNull(bankTransactions.vanishedAt),
        eq(bankTransactions.type, 'receive'),
        notInArray(bankTransactions.status, GONE),
        gt(bankTransactions.amountMinor, 0),
        isNull(bankTransactions.prepaymentExternalId),
      ),
    )
    .orderBy(asc(bankTransactions.date), asc(bankTransactions.externalId));
  return rows.map((b) => ({
    id: b.id,
    externalId: b.externalId,
    connectionId: b.connectionId,
    contactExternalId: b.contactExternalId,
    date: b.date,
    amountMinor: b.amountMinor,
    currency: b.currency,
    texts: texts([['reference', b.reference]]),
  }));
}
