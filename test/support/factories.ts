import { randomBytes } from 'node:crypto';
import {
  applications,
  bankAccounts,
  bankLines,
  bankTransactions,
  connections,
  contacts,
  firms,
  invoices,
  payments,
  prepayments,
} from '../../src/db/schema/index.js';
import type { DbOrTx } from '../../src/db/types.js';

/**
 * Canonical rows inserted directly, for engine tests. Each factory takes only what a test cares about and
 * fills the rest with plausible values; amounts are minor units.
 */
const uid = () => randomBytes(6).toString('hex');
const synced = (externalId?: string) => {
  const ext = externalId ?? uid();
  return { externalId: ext, raw: {}, contentHash: `h-${ext}` };
};

export async function makeFirm(
  db: DbOrTx,
  o: { name?: string; baseCurrency?: string; timezone?: string } = {},
) {
  const [row] = await db
    .insert(firms)
    .values({
      name: o.name ?? `Firm ${uid()}`,
      baseCurrency: o.baseCurrency ?? 'USD',
      timezone: o.timezone ?? 'America/New_York',
    })
    .returning();
  return row!;
}

export async function makeConnection(
  db: DbOrTx,
  firmId: string,
  o: { provider?: string; tenantId?: string } = {},
) {
  const [row] = await db
    .insert(connections)
    .values({
      firmId,
      provider: o.provider ?? 'xero',
      tenantId: o.tenantId ?? uid(),
      displayName: 'Demo Org',
    })
    .returning();
  return row!;
}

export async function makeBankAccount(
  db: DbOrTx,
  firmId: string,
  o: {
    connectionId?: string | null;
    ledgerAccountExternalId?: string | null;
    name?: string;
    currency?: string;
    trust?: boolean;
  } = {},
) {
  const [row] = await db
    .insert(bankAccounts)
    .values({
      firmId,
      name: o.name ?? 'Operating Account',
      connectionId: o.connectionId ?? null,
      ledgerAccountExternalId:
        o.ledgerAccountExternalId === undefined ? `acct-${uid()}` : o.ledgerAccountExternalId,
      currency: o.currency ?? 'USD',
      trust: o.trust ?? false,
    })
    .returning();
  return row!;
}

export async function makeContact(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
  o: { externalId?: string; name: string; accountNumber?: string | null },
) {
  const [row] = await db
    .insert(contacts)
    .values({
      ...scope,
      ...synced(o.externalId),
      name: o.name,
      accountNumber: o.accountNumber ?? null,
      isCustomer: true,
      status: 'active',
    })
    .returning();
  return row!;
}

export async function makeInvoice(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
  o: {
    externalId?: string;
    number: string | null;
    reference?: string | null;
    contactExternalId?: string | null;
    totalMinor: number;
    currency?: string;
    status?: string;
    issueDate?: string;
    dueDate?: string | null;
  },
) {
  const [row] = await db
    .insert(invoices)
    .values({
      ...scope,
      ...synced(o.externalId),
      number: o.number,
      reference: o.reference ?? null,
      contactExternalId: o.contactExternalId ?? null,
      status: o.status ?? 'authorised',
      issueDate: o.issueDate ?? '2026-10-01',
      dueDate: o.dueDate === undefined ? '2026-10-31' : o.dueDate,
      currency: o.currency ?? 'USD',
      taxMode: 'none',
      subtotalMinor: o.totalMinor,
      taxMinor: 0,
      totalMinor: o.totalMinor,
      currencyRate: '1',
      baseTotalMinor: o.totalMinor,
      providerAmountDueMinor: null,
    })
    .returning();
  return row!;
}

/** A provider application (an invoice payment, credit note … as read from the books). */
export async function makeProviderApplication(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
  o: {
    invoiceExternalId: string;
    amountMinor: number;
    source?: string;
    sourceExternalId?: string;
    status?: string;
    date?: string;
    currency?: string;
  },
) {
  const source = o.source ?? 'payment';
  const sourceExternalId = o.sourceExternalId ?? uid();
  const [row] = await db
    .insert(applications)
    .values({
      ...scope,
      origin: 'provider',
      key: `${source}:${sourceExternalId}:${o.invoiceExternalId}`,
      source,
      sourceExternalId,
      invoiceExternalId: o.invoiceExternalId,
      date: o.date ?? '2026-10-15',
      amountMinor: o.amountMinor,
      currency: o.currency ?? 'USD',
      status: o.status ?? 'active',
    })
    .returning();
  return row!;
}

/** A Xero payment on an invoice, with the provider application it brings (like the sync writes). */
export async function makePayment(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
  o: {
    externalId?: string;
    amountMinor: number;
    date: string;
    bankLedgerAccountExternalId: string | null;
    invoiceExternalId?: string | null;
    kind?: string;
    status?: string;
    currency?: string;
    bankAmountMinor?: number | null;
    reference?: string | null;
    prepaymentExternalId?: string | null;
    contactExternalId?: string | null;
  },
) {
  const [row] = await db
    .insert(payments)
    .values({
      ...scope,
      ...synced(o.externalId),
      kind: o.kind ?? 'invoice_payment',
      status: o.status ?? 'authorised',
      date: o.date,
      amountMinor: o.amountMinor,
      currency: o.currency ?? 'USD',
      currencyRate: '1',
      bankAmountMinor: o.bankAmountMinor ?? null,
      reference: o.reference ?? null,
      bankLedgerAccountExternalId: o.bankLedgerAccountExternalId,
      contactExternalId: o.contactExternalId ?? null,
      invoiceExternalId: o.invoiceExternalId ?? null,
      creditNoteExternalId: null,
      prepaymentExternalId: o.prepaymentExternalId ?? null,
      isReconciled: false,
    })
    .returning();
  const p = row!;
  if (p.invoiceExternalId && p.kind === 'invoice_payment') {
    await makeProviderApplication(db, scope, {
      invoiceExternalId: p.invoiceExternalId,
      amountMinor: p.amountMinor,
      source: 'payment',
      sourceExternalId: p.externalId,
      status: p.status === 'authorised' ? 'active' : 'reversed',
      date: p.date,
      currency: p.currency,
    });
  }
  return p;
}

export async function makeBankTransaction(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
  o: {
    externalId?: string;
    type?: string;
    status?: string;
    date: string;
    amountMinor: number;
    currency?: string;
    reference?: string | null;
    contactExternalId?: string | null;
    bankLedgerAccountExternalId: string | null;
    prepaymentExternalId?: string | null;
    lineAccountCodes?: string[];
  },
) {
  const [row] = await db
    .insert(bankTransactions)
    .values({
      ...scope,
      ...synced(o.externalId),
      type: o.type ?? 'receive',
      status: o.status ?? 'authorised',
      date: o.date,
      amountMinor: o.amountMinor,
      currency: o.currency ?? 'USD',
      reference: o.reference ?? null,
      contactExternalId: o.contactExternalId ?? null,
      bankLedgerAccountExternalId: o.bankLedgerAccountExternalId,
      isReconciled: false,
      prepaymentExternalId: o.prepaymentExternalId ?? null,
      lineAccountCodes: o.lineAccountCodes ?? ['200'],
    })
    .returning();
  return row!;
}

export async function makePrepayment(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
  o: {
    externalId?: string;
    kind?: 'overpayment' | 'prepayment';
    contactExternalId: string | null;
    date: string;
    totalMinor: number;
    currency?: string;
    status?: string;
    direction?: 'receive' | 'spend';
    bankLedgerAccountExternalId?: string | null;
    reference?: string | null;
  },
) {
  const [row] = await db
    .insert(prepayments)
    .values({
      ...scope,
      ...synced(o.externalId),
      kind: o.kind ?? 'overpayment',
      contactExternalId: o.contactExternalId,
      status: o.status ?? 'authorised',
      date: o.date,
      currency: o.currency ?? 'USD',
      totalMinor: o.totalMinor,
      providerRemainingMinor: null,
      bankLedgerAccountExternalId: o.bankLedgerAccountExternalId ?? null,
      reference: o.reference ?? null,
      direction: o.direction ?? 'receive',
    })
    .returning();
  return row!;
}

export async function makeBankLine(
  db: DbOrTx,
  firmId: string,
  bankAccountId: string,
  o: {
    dedupeKey?: string;
    bookingDate: string;
    amountMinor: number;
    currency?: string;
    counterpartyName?: string | null;
    counterpartyAccount?: string | null;
    remittance?: string | null;
    bankReference?: string | null;
    endToEndId?: string | null;
    unappliedAt?: Date | null;
  },
) {
  const [row] = await db
    .insert(bankLines)
    .values({
      firmId,
      bankAccountId,
      dedupeKey: o.dedupeKey ?? `fitid-${uid()}`,
      bookingDate: o.bookingDate,
      amountMinor: o.amountMinor,
      currency: o.currency ?? 'USD',
      counterpartyName: o.counterpartyName ?? null,
      counterpartyAccount: o.counterpartyAccount ?? null,
      remittance: o.remittance ?? null,
      bankReference: o.bankReference ?? null,
      endToEndId: o.endToEndId ?? null,
      raw: {},
      unappliedAt: o.unappliedAt ?? null,
    })
    .returning();
  return row!;
}

/** A firm with one Xero connection and one operating bank account linked to its ledger. */
export async function makeXeroFirm(db: DbOrTx) {
  const firm = await makeFirm(db);
  const connection = await makeConnection(db, firm.id);
  const bank = await makeBankAccount(db, firm.id, {
    connectionId: connection.id,
    ledgerAccountExternalId: 'bank-operating',
  });
  return { firm, connection, bank, scope: { firmId: firm.id, connectionId: connection.id } };
}
