import { and, eq, isNull } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type {
  CanonicalRecord,
  ConnCtx,
  Cursor,
  EntityKind,
  RecordError,
} from '../../connectors/connector.js';
import { createXeroConnector, XERO_DOCUMENT_KINDS } from '../../connectors/xero/connector.js';
import { mapXeroPage } from '../../connectors/xero/map.js';
import {
  accounts,
  bankTransactions,
  contacts,
  creditNotes,
  invoices,
  payments,
  prepayments,
} from '../../db/schema/index.js';
import type { DbOrTx } from '../../db/types.js';
import { recordSyncErrors, saveCursor } from '../../sync/run.js';
import { type UpsertStats, upsertRecords } from '../../sync/upsert.js';
import { auth, loadXeroContext, type XeroDeps } from './context.js';

type Deletable = Exclude<CanonicalRecord['kind'], 'deletion'>;

/** Per kind: the canonical record kind its deletions name, and how to list our live ids. */
const STORED: Partial<Record<EntityKind, { of: Deletable; table: PgTable; extra?: (t: never) => unknown }>> =
  {
    accounts: { of: 'account', table: accounts },
    contacts: { of: 'contact', table: contacts },
    invoices: { of: 'invoice', table: invoices },
    credit_notes: { of: 'credit_note', table: creditNotes },
    payments: { of: 'payment', table: payments },
    overpayments: { of: 'prepayment', table: prepayments },
    prepayments: { of: 'prepayment', table: prepayments },
    bank_transactions: { of: 'bank_transaction', table: bankTransactions },
  };

/** The full pass compares every document kind the connector pulls. */
export const FULL_PASS_KINDS: readonly EntityKind[] = XERO_DOCUMENT_KINDS;

async function liveIds(db: DbOrTx, kind: EntityKind, connectionId: string): Promise<string[]> {
  const s = STORED[kind];
  if (!s) return [];
  const t = s.table as typeof invoices;
  const conds = [eq(t.connectionId, connectionId), isNull(t.vanishedAt)];
  if (kind === 'overpayments') conds.push(eq(prepayments.kind, 'overpayment'));
  if (kind === 'prepayments') conds.push(eq(prepayments.kind, 'prepayment'));
  const rows = await db
    .select({ id: t.externalId })
    .from(t)
    .where(and(...conds));
  return rows.map((r) => r.id);
}

const recordErrors = (db: DbOrTx, ctx: ConnCtx, errors: RecordError[]) =>
  recordSyncErrors(db, { firmId: ctx.firmId, connectionId: ctx.connectionId }, null, errors);

export interface FullPassReport {
  kinds: Partial<Record<EntityKind, { seen: number; vanished: string[] } & UpsertStats>>;
}

/**
 * The periodic full pass: incremental pulls miss changes that do not bump UpdatedDateUTC (and, without
 * includeArchived, archived contacts). Per entity, read everything Xero has (archived included),
 * upsert it, compare the ids with ours and tombstone what vanished (status deleted + vanished_at; rows
 * are never deleted).
 */
export async function runXeroFullPass(
  deps: XeroDeps,
  connectionId: string,
  kinds: readonly EntityKind[] = FULL_PASS_KINDS,
): Promise<FullPassReport> {
  const { ctx, client } = await loadXeroContext(deps, connectionId);
  const scope = { firmId: ctx.firmId, connectionId };
  const connector = createXeroConnector({ client, logger: deps.logger });
  const report: FullPassReport = { kinds: {} };
  for (const kind of kinds) {
    const seen = new Set<string>();
    const stats = { inserted: 0, updated: 0, unchanged: 0 };
    let cursor: Cursor | null = null;
    let last: Cursor | null = null;
    for (let n = 0; n < 100_000; n++) {
      const page = await connector.pull(ctx, kind, cursor);
      for (const r of page.records) if (r.kind !== 'deletion') seen.add(r.data.externalId);
      for (const e of page.errors) if (e.externalId) seen.add(e.externalId);
      await deps.db.transaction(async (tx) => {
        const s = await upsertRecords(tx, scope, page.records);
        stats.inserted += s.inserted;
        stats.updated += s.updated;
        stats.unchanged += s.unchanged;
        await recordErrors(tx, ctx, page.errors);
      });
      last = page.next;
      if (page.done || !page.next) break;
      cursor = page.next;
    }
    const vanished = (await liveIds(deps.db, kind, connectionId)).filter((id) => !seen.has(id));
    const of = STORED[kind]?.of;
    await deps.db.transaction(async (tx) => {
      if (of && vanished.length > 0)
        await upsertRecords(
          tx,
          scope,
          vanished.map((externalId) => ({ kind: 'deletion' as const, data: { externalId, of }, raw: null })),
        );
      if (last && !last.page) await saveCursor(tx, scope, kind, last);
    });
    report.kinds[kind] = { seen: seen.size, vanished, ...stats };
  }
  return report;
}

/** A changed resource named by a Xero webhook event. */
export interface XeroResourceRef {
  /** INVOICE, CONTACT or CREDITNOTE (Xero sends no payment or bank-transaction events: those are polled). */
  category: string;
  resourceId: string;
}

/**
 * The targeted pull a webhook triggers: fetch just the named invoices, contacts and credit notes and
 * upsert them. Unknown categories are ignored (and counted).
 */
export async function pullXeroResources(
  deps: XeroDeps,
  connectionId: string,
  resources: readonly XeroResourceRef[],
): Promise<{ pulled: number; errors: number; ignored: number } & UpsertStats> {
  const { ctx, client } = await loadXeroContext(deps, connectionId);
  const scope = { firmId: ctx.firmId, connectionId };
  const ids = (cat: string) => [
    ...new Set(resources.filter((r) => r.category.toUpperCase() === cat).map((r) => r.resourceId)),
  ];
  const invoiceIds = ids('INVOICE');
  const contactIds = ids('CONTACT');
  const creditNoteIds = ids('CREDITNOTE');
  const ignored = resources.length - invoiceIds.length - contactIds.length - creditNoteIds.length;
  const opts = { baseCurrency: ctx.firm.baseCurrency };
  const pages: { kind: EntityKind; raws: unknown[] }[] = [];
  for (let i = 0; i < invoiceIds.length; i += 50) {
    const res = await client.list('Invoices', {
      ...(await auth(ctx)),
      ids: invoiceIds.slice(i, i + 50),
      page: 1,
    });
    pages.push({ kind: 'invoices', raws: res.items });
  }
  for (let i = 0; i < contactIds.length; i += 50) {
    const res = await client.list('Contacts', {
      ...(await auth(ctx)),
      ids: contactIds.slice(i, i + 50),
      includeArchived: true,
    });
    pages.push({ kind: 'contacts', raws: res.items });
  }
  for (const id of creditNoteIds) {
    const res = await client.creditNote({ ...(await auth(ctx)), creditNoteId: id });
    pages.push({ kind: 'credit_notes', raws: res.items });
  }
  const total = {
    pulled: 0,
    errors: 0,
    ignored: Math.max(0, ignored),
    inserted: 0,
    updated: 0,
    unchanged: 0,
  };
  await deps.db.transaction(async (tx) => {
    for (const p of pages) {
      const { records, errors } = mapXeroPage(p.kind, p.raws, opts);
      const s = await upsertRecords(tx, scope, records);
      await recordErrors(tx, ctx, errors);
      total.pulled += p.raws.length;
      total.errors += errors.length;
      total.inserted += s.inserted;
      total.updated += s.updated;
      total.unchanged += s.unchanged;
    }
  });
  return total;
}
