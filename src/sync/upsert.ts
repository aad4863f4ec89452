import { and, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Application } from '../canonical/index.js';
import type { CanonicalRecord, Deletion } from '../connectors/connector.js';
import {
  accounts,
  applications,
  bankTransactions,
  contacts,
  creditNotes,
  depositLinks,
  glPostings,
  invoiceLines,
  invoices,
  items,
  matters,
  payments,
  prepayments,
  reportRows,
  timeEntries,
} from '../db/schema/index.js';
import type { DbOrTx } from '../db/types.js';
import { contentHash } from '../lib/hash.js';
import { STRIPE_TARGETS } from './stripe-targets.js';

/**
 * Upsert canonical records by external id with a content hash: a record whose content is unchanged is
 * not written at all; a changed one replaces its row and its child rows (lines, applications) in the
 * caller's transaction.
 */
export interface UpsertStats {
  inserted: number;
  updated: number;
  unchanged: number;
}

type Kind = Exclude<CanonicalRecord['kind'], 'deletion'>;
type Of<K extends Kind> = Extract<CanonicalRecord, { kind: K }>;

interface Target {
  table: PgTable & {
    id: ReturnType<typeof getTableColumns>[string];
    firmId: ReturnType<typeof getTableColumns>[string];
    connectionId: ReturnType<typeof getTableColumns>[string];
    externalId: ReturnType<typeof getTableColumns>[string];
    contentHash: ReturnType<typeof getTableColumns>[string];
  };
  columns: (r: CanonicalRecord) => Record<string, unknown>;
  /** The application `source` a record of this kind owns, if any. */
  owns?: Application['source'][];
}

const t = <K extends Kind>(fn: (r: Of<K>) => Record<string, unknown>) =>
  fn as (r: CanonicalRecord) => Record<string, unknown>;

const TARGETS: { [K in Kind]: Target } = {
  contact: {
    table: contacts as unknown as Target['table'],
    columns: t<'contact'>(({ data: d }) => ({
      name: d.name,
      email: d.email,
      accountNumber: d.accountNumber,
      taxNumber: d.taxNumber,
      isCustomer: d.isCustomer,
      status: d.status,
      parentExternalId: d.parentExternalId,
    })),
  },
  account: {
    table: accounts as unknown as Target['table'],
    columns: t<'account'>(({ data: d }) => ({
      code: d.code,
      name: d.name,
      type: d.type,
      class: d.class,
      status: d.status,
      isBank: d.isBank,
      bankAccountNumber: d.bankAccountNumber,
      currency: d.currency,
      isReceivable: d.isReceivable,
    })),
  },
  matter: {
    table: matters as unknown as Target['table'],
    columns: t<'matter'>(({ data: d }) => ({
      contactExternalId: d.contactExternalId,
      name: d.name,
      status: d.status,
      estimateMinor: d.estimate?.amountMinor ?? null,
      estimateCurrency: d.estimate?.currency ?? null,
    })),
  },
  invoice: {
    table: invoices as unknown as Target['table'],
    columns: t<'invoice'>(({ data: d }) => ({
      number: d.number,
      reference: d.reference,
      contactExternalId: d.contactExternalId,
      matterExternalId: d.matterExternalId,
      status: d.status,
      issueDate: d.issueDate,
      dueDate: d.dueDate,
      currency: d.currency,
      taxMode: d.taxMode,
      subtotalMinor: d.subtotalMinor,
      taxMinor: d.taxMinor,
      totalMinor: d.totalMinor,
      currencyRate: d.currencyRate,
      baseTotalMinor: d.baseTotalMinor,
      providerAmountDueMinor: d.providerAmountDueMinor,
    })),
  },
  credit_note: {
    table: creditNotes as unknown as Target['table'],
    owns: ['credit_note'],
    columns: t<'credit_note'>(({ data: d }) => ({
      number: d.number,
      reference: d.reference,
      contactExternalId: d.contactExternalId,
      status: d.status,
      issueDate: d.issueDate,
      currency: d.currency,
      taxMode: d.taxMode,
      subtotalMinor: d.subtotalMinor,
      taxMinor: d.taxMinor,
      totalMinor: d.totalMinor,
      currencyRate: d.currencyRate,
      baseTotalMinor: d.baseTotalMinor,
      providerRemainingMinor: d.providerRemainingMinor,
    })),
  },
  payment: {
    table: payments as unknown as Target['table'],
    // a QBO payment also carries the credit memos it applies (source credit_note, keyed by the payment)
    owns: ['payment', 'credit_note'],
    columns: t<'payment'>(({ data: d }) => ({
      kind: d.kind,
      status: d.status,
      date: d.date,
      amountMinor: d.amountMinor,
      currency: d.currency,
      currencyRate: d.currencyRate,
      bankAmountMinor: d.bankAmountMinor,
      reference: d.reference,
      bankLedgerAccountExternalId: d.bankLedgerAccountExternalId,
      contactExternalId: d.contactExternalId,
      invoiceExternalId: d.invoiceExternalId,
      creditNoteExternalId: d.creditNoteExternalId,
      prepaymentExternalId: d.prepaymentExternalId,
      isReconciled: d.isReconciled,
    })),
  },
  prepayment: {
    table: prepayments as unknown as Target['table'],
    owns: ['overpayment', 'prepayment'],
    columns: t<'prepayment'>(({ data: d }) => ({
      kind: d.kind,
      contactExternalId: d.contactExternalId,
      status: d.status,
      date: d.date,
      currency: d.currency,
      totalMinor: d.totalMinor,
      providerRemainingMinor: d.providerRemainingMinor,
      bankLedgerAccountExternalId: d.bankLedgerAccountExternalId,
      reference: d.reference,
      direction: d.direction,
    })),
  },
  bank_transaction: {
    table: bankTransactions as unknown as Target['table'],
    columns: t<'bank_transaction'>(({ data: d }) => ({
      type: d.type,
      status: d.status,
      date: d.date,
      amountMinor: d.amountMinor,
      currency: d.currency,
      reference: d.reference,
      contactExternalId: d.contactExternalId,
      bankLedgerAccountExternalId: d.bankLedgerAccountExternalId,
      isReconciled: d.isReconciled,
      prepaymentExternalId: d.prepaymentExternalId,
      lineAccountCodes: d.lineAccountCodes,
    })),
  },
  gl_posting: {
    table: glPostings as unknown as Target['table'],
    columns: t<'gl_posting'>(({ data: d }) => ({
      journalExternalId: d.journalExternalId,
      journalNumber: d.journalNumber,
      date: d.date,
      accountExternalId: d.accountExternalId,
      accountCode: d.accountCode,
      amountMinor: d.amountMinor,
      currency: d.currency,
      sourceType: d.sourceType,
      sourceExternalId: d.sourceExternalId,
      description: d.description,
      derived: d.derived,
    })),
  },
  time_entry: {
    table: timeEntries as unknown as Target['table'],
    columns: t<'time_entry'>(({ data: d }) => ({
      date: d.date,
      durationMinutes: d.durationMinutes,
      contactExternalId: d.contactExternalId,
      matterExternalId: d.matterExternalId,
      userExternalId: d.userExternalId,
      userName: d.userName,
      taskExternalId: d.taskExternalId,
      taskName: d.taskName,
      description: d.description,
      hourlyRate: d.hourlyRate,
      rateCurrency: d.rateCurrency,
      billableStatus: d.billableStatus,
      status: d.status,
    })),
  },
  item: {
    table: items as unknown as Target['table'],
    columns: t<'item'>(({ data: d }) => ({
      name: d.name,
      sku: d.sku,
      type: d.type,
      status: d.status,
      description: d.description,
      unitPrice: d.unitPrice,
      incomeAccountExternalId: d.incomeAccountExternalId,
    })),
  },
  report_row: {
    table: reportRows as unknown as Target['table'],
    columns: t<'report_row'>(({ data: d }) => ({
      report: d.report,
      periodStart: d.periodStart,
      periodEnd: d.periodEnd,
      basis: d.basis,
      currency: d.currency,
      position: d.position,
      rowType: d.rowType,
      path: d.path,
      pathIds: d.pathIds,
      label: d.label,
      entityExternalId: d.entityExternalId,
      date: d.date,
      txnType: d.txnType,
      txnExternalId: d.txnExternalId,
      cells: d.cells,
      amounts: d.amounts,
    })),
  },
  deposit_link: {
    table: depositLinks as unknown as Target['table'],
    columns: t<'deposit_link'>(({ data: d }) => ({
      depositExternalId: d.depositExternalId,
      linkedKind: d.linkedKind,
      linkedExternalId: d.linkedExternalId,
      amountMinor: d.amountMinor,
      currency: d.currency,
    })),
  },
  ...(STRIPE_TARGETS as unknown as Record<keyof typeof STRIPE_TARGETS, Target>),
};

export function recordHash(r: CanonicalRecord): string {
  return contentHash({ kind: r.kind, data: r.data, applications: 'applications' in r ? r.applications : [] });
}

/** `SET col = excluded.col` for every column but the identity ones. */
function excludedSet(table: PgTable, skip: string[]): Record<string, SQL> {
  const out: Record<string, SQL> = {};
  for (const [key, col] of Object.entries(getTableColumns(table))) {
    if (skip.includes(key)) continue;
    out[key] = sql.raw(`excluded."${col.name}"`);
  }
  return out;
}

/** Upsert records of one kind (a page) for one connection. */
export async function upsertRecords(
  tx: DbOrTx,
  scope: { firmId: string; connectionId: string },
  records: CanonicalRecord[],
): Promise<UpsertStats> {
  const stats: UpsertStats = { inserted: 0, updated: 0, unchanged: 0 };
  const byKind = new Map<Kind, CanonicalRecord[]>();
  const deletions: Deletion[] = [];
  for (const r of records) {
    if (r.kind === 'deletion') deletions.push(r.data);
    else byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  }
  for (const [kind, group] of byKind) {
    // the last occurrence of an external id in a page wins
    const unique = [...new Map(group.map((r) => [r.data.externalId, r])).values()];
    const s = await upsertKind(tx, scope, kind, unique);
    stats.inserted += s.inserted;
    stats.updated += s.updated;
    stats.unchanged += s.unchanged;
  }
  if (deletions.length > 0) stats.updated += await applyDeletions(tx, scope, deletions);
  return stats;
}

/**
 * Mark records the provider deleted: status `deleted` where the table has one, a tombstone, a content
 * hash that a re-sent full record replaces; the applications they owned are reversed. Returns rows changed.
 */
async function applyDeletions(
  tx: DbOrTx,
  scope: { firmId: string; connectionId: string },
  deletions: Deletion[],
): Promise<number> {
  let changed = 0;
  const byKind = new Map<Kind, string[]>();
  for (const d of deletions) byKind.set(d.of, [...(byKind.get(d.of) ?? []), d.externalId]);
  for (const [kind, ids] of byKind) {
    const target = TARGETS[kind];
    const table = target.table;
    const hasStatus = 'status' in getTableColumns(table);
    const out = await tx
      .update(table)
      .set({
        vanishedAt: new Date(),
        contentHash: 'deleted',
        ...(hasStatus ? { status: 'deleted' } : {}),
      } as never)
      .where(
        and(
          eq(table.firmId, scope.firmId),
          eq(table.connectionId, scope.connectionId),
          inArray(table.externalId, ids),
          sql`${table.contentHash} <> 'deleted'`,
        ),
      )
      .returning({ id: table.id } as never);
    changed += (out as unknown[]).length;
    if (target.owns) {
      await tx
        .update(applications)
        .set({ status: 'reversed' })
        .where(
          and(
            eq(applications.firmId, scope.firmId),
            eq(applications.connectionId, scope.connectionId),
            eq(applications.origin, 'provider'),
            inArray(applications.source, target.owns),
            inArray(applications.sourceExternalId, ids),
          ),
        );
    }
  }
  return changed;
}

async function upsertKind(
  tx: DbOrTx,
  scope: { firmId: string; connectionId: string },
  kind: Kind,
  records: CanonicalRecord[],
): Promise<UpsertStats> {
  const target = TARGETS[kind];
  const table = target.table;
  const rows = records.map((r) => ({
    firmId: scope.firmId,
    connectionId: scope.connectionId,
    externalId: r.data.externalId,
    raw: (r.raw ?? {}) as object,
    contentHash: recordHash(r),
    vanishedAt: null,
    syncedAt: new Date(),
    ...target.columns(r),
  }));
  const changed: { id: string; externalId: string; inserted: boolean }[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const out = (await tx
      .insert(table)
      .values(chunk as never)
      .onConflictDoUpdate({
        target: [table.firmId, table.connectionId, table.externalId] as never,
        set: excludedSet(table, ['id', 'firmId', 'connectionId', 'externalId', 'createdAt']) as never,
        setWhere: sql`${table.contentHash} is distinct from excluded.content_hash or ${sql.raw(`"${getTableName(table)}".vanished_at`)} is not null`,
      })
      .returning({
        id: table.id,
        externalId: table.externalId,
        inserted: sql<boolean>`(xmax = 0)`,
      } as never)) as unknown as {
      id: string;
      externalId: string;
      inserted: boolean;
    }[];
    changed.push(...out);
  }
  const byExt = new Map(records.map((r) => [r.data.externalId, r]));
  if (changed.length > 0) await writeChildren(tx, scope, kind, changed, byExt, target);
  const inserted = changed.filter((c) => c.inserted).length;
  return { inserted, updated: changed.length - inserted, unchanged: records.length - changed.length };
}

function getTableName(table: PgTable): string {
  return (table as unknown as Record<symbol, string>)[Symbol.for('drizzle:Name')] ?? '';
}

async function writeChildren(
  tx: DbOrTx,
  scope: { firmId: string; connectionId: string },
  kind: Kind,
  changed: { id: string; externalId: string }[],
  byExt: Map<string, CanonicalRecord>,
  target: Target,
): Promise<void> {
  if (kind === 'invoice') {
    const ids = changed.map((c) => c.id);
    await tx.delete(invoiceLines).where(inArray(invoiceLines.invoiceId, ids));
    const lines = changed.flatMap((c) => {
      const r = byExt.get(c.externalId) as Of<'invoice'>;
      return r.data.lines.map((l, position) => ({ firmId: scope.firmId, invoiceId: c.id, position, ...l }));
    });
    for (let i = 0; i < lines.length; i += 1000)
      await tx.insert(invoiceLines).values(lines.slice(i, i + 1000));
  }
  if (!target.owns) return;
  const owners = changed.map((c) => c.externalId);
  await tx
    .delete(applications)
    .where(
      and(
        eq(applications.firmId, scope.firmId),
        eq(applications.connectionId, scope.connectionId),
        eq(applications.origin, 'provider'),
        inArray(applications.source, target.owns),
        inArray(applications.sourceExternalId, owners),
      ),
    );
  const apps = changed.flatMap((c) => {
    const r = byExt.get(c.externalId);
    const list = r && 'applications' in r ? r.applications : [];
    return list.map((a) => ({
      firmId: scope.firmId,
      connectionId: scope.connectionId,
      origin: 'provider',
      key: a.key,
      source: a.source,
      sourceExternalId: a.sourceExternalId ?? c.externalId,
      invoiceExternalId: a.invoiceExternalId,
      date: a.date,
      amountMinor: a.amountMinor,
      currency: a.currency,
      status: a.status,
    }));
  });
  for (let i = 0; i < apps.length; i += 1000) {
    await tx
      .insert(applications)
      .values(apps.slice(i, i + 1000))
      .onConflictDoUpdate({
        target: [applications.firmId, applications.origin, applications.key],
        set: excludedSet(applications, ['id', 'firmId', 'origin', 'key', 'createdAt']),
      });
  }
}
