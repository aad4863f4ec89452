import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';
import { createQboConnector } from '../../../src/connectors/qbo/connector.js';
import { createQboReplay } from '../../../src/connectors/qbo/replay.js';
import type { Database } from '../../../src/db/client.js';
import { rowsOf } from '../../../src/db/migrate.js';
import { exceptions, glPostings, invoices, payments, reportRows } from '../../../src/db/schema/index.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { pullQboEntities, syncQbo } from '../../../src/providers/qbo/books.js';
import { runSync } from '../../../src/sync/run.js';
import { createTestDatabase } from '../../support/db.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';
import { dataset, meta, seedConnection, TOKEN } from './helpers.js';

type Obj = Record<string, unknown>;
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

const clock = fixedClock('2026-12-01T18:00:00Z');
const connector = () =>
  createQboConnector({ environment: 'production', clock, reportsFrom: () => '2026-11-01' });

describe('QBO general ledger and reports', () => {
  it('stores GL, trial balance and aging rows whose totals equal the sums of their rows', async () => {
    const ctx = await seedConnection(database.db, 'Ledger LLP');
    const je = jsonFixture<{ JournalEntry: Obj }>('qbo', 'journalentry.json').JournalEntry;
    const replay = createQboReplay(
      dataset(
        { JournalEntry: [{ ...je, Id: '4001', MetaData: meta('2026-11-25T10:00:00Z') }] },
        {
          reports: {
            GeneralLedger: jsonFixture('qbo', 'coherent-general-ledger.json'),
            TrialBalance: jsonFixture('qbo', 'coherent-trial-balance.json'),
            AgedReceivables: jsonFixture('qbo', 'coherent-aged-receivables.json'),
          },
        },
      ),
      { now: clock.now },
    );
    server.use(...replay.handlers);
    const r = await runSync({ db: database.db, logger: silentLogger }, connector(), ctx, {
      kinds: ['gl_postings'],
    });
    expect(r.status).toBe('succeeded');
    const reportCalls = replay.served.filter((s) => s.path.startsWith('reports/'));
    expect(
      reportCalls.map((c) => [c.path, c.search.get('start_date') ?? c.search.get('report_date')]),
    ).toEqual([
      ['reports/GeneralLedger', '2026-11-01'],
      ['reports/TrialBalance', '2026-11-01'],
      ['reports/AgedReceivables', '2026-12-01'],
    ]);
    // totals from the database: each report's summary equals the sum of its data rows
    const sums = rowsOf<{ report: string; key: string; rows: string; total: string }>(
      await database.db.execute(sql`
        select report, k.key, sum(case when row_type = 'data' then (amounts->>k.key)::bigint else 0 end)::text as rows,
               sum(case when row_type = 'summary' and path = array['GrandTotal'] then (amounts->>k.key)::bigint else 0 end)::text as total
        from report_rows, (values ('Debit'), ('Credit'), ('Total'), ('91 and over')) as k(key)
        where firm_id = ${ctx.firmId} and report in ('TrialBalance', 'AgedReceivables') and amounts ? k.key
        group by report, k.key order by report, k.key`),
    );
    expect(sums).toEqual([
      { report: 'AgedReceivables', key: '91 and over', rows: '91000', total: '91000' },
      { report: 'AgedReceivables', key: 'Total', rows: '251000', total: '251000' },
      { report: 'TrialBalance', key: 'Credit', rows: '1410000', total: '1410000' },
      { report: 'TrialBalance', key: 'Debit', rows: '1410000', total: '1410000' },
    ]);
    const glTotals = rowsOf<{ label: string; summary: string; rows: string }>(
      await database.db.execute(sql`
        select s.label, (s.amounts->>'subt_nat_amount')::text as summary,
               (select coalesce(sum((d.amounts->>'subt_nat_amount')::bigint), 0) from report_rows d
                 where d.firm_id = s.firm_id and d.report = 'GeneralLedger' and d.row_type = 'data'
                   and d.path[1:cardinality(s.path)] = s.path)::text as rows
        from report_rows s where s.firm_id = ${ctx.firmId} and s.report = 'GeneralLedger' and s.row_type = 'summary'
        order by s.position`),
    );
    expect(glTotals.map((g) => g.label)).toEqual([
      'Total for Checking',
      'Total for Trust retainers receivable',
      'Total for Accounts Receivable (A/R)',
      'Total for Undeposited Funds',
      'Total for Legal fees',
    ]);
    for (const g of glTotals) expect(g.rows).toBe(g.summary);
    // postings: journal lines from the JournalEntry entity, everything else from the GL report
    const posts = await database.db
      .select({ e: glPostings.externalId, a: glPostings.amountMinor, t: glPostings.sourceType })
      .from(glPostings)
      .where(eq(glPostings.firmId, ctx.firmId))
      .orderBy(glPostings.externalId);
    expect(posts.filter((p) => p.t === 'journal_entry')).toEqual([
      { e: 'je:4001:0', a: 2554, t: 'journal_entry' },
      { e: 'je:4001:1', a: -2554, t: 'journal_entry' },
    ]);
    expect(posts.filter((p) => p.t !== 'journal_entry')).toHaveLength(10);
    expect(posts.reduce((s, p) => s + p.a, 0)).toBe(0);
    // pulling again writes nothing
    const again = await runSync({ db: database.db, logger: silentLogger }, connector(), ctx, {
      kinds: ['gl_postings'],
    });
    expect(again.kinds.gl_postings).toMatchObject({ inserted: 0, updated: 0 });
    const n = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(reportRows)
      .where(eq(reportRows.firmId, ctx.firmId));
    // GL: 14 data rows and 5 section totals; trial balance 5 + TOTAL; aging 3 + TOTAL
    expect(n[0]!.n).toBe(14 + glTotals.length + 6 + 4);
  });
});

describe('QBO webhook processing', () => {
  const deps = (c = connector()) => ({
    db: database.db,
    logger: silentLogger,
    clock,
    config: loadConfig({}),
    services: { qbo: { connector: c, accessToken: () => async () => TOKEN } },
  });
  const inv = (id: string, extra: Obj = {}): Obj => ({
    Id: id,
    SyncToken: '0',
    DocNumber: `10${id}`,
    TxnDate: '2026-11-20',
    CustomerRef: { value: '20' },
    TotalAmt: 500,
    Balance: 500,
    Line: [
      {
        Id: '1',
        Amount: 500,
        DetailType: 'SalesItemLineDetail',
        SalesItemLineDetail: { ItemRef: { value: '1' } },
      },
    ],
    LinkedTxn: [],
    MetaData: meta('2026-12-01T17:00:00.000Z'),
    ...extra,
  });

  it('pulls the changed entity by id, and not again for a replayed notification', async () => {
    const ctx = await seedConnection(database.db, 'Webhook LLP');
    const replay = createQboReplay(dataset({ Invoice: [inv('501'), inv('502')] }), { now: clock.now });
    server.use(...replay.handlers);
    const change = {
      entity: 'Invoice',
      entityId: '501',
      operation: 'Update',
      occurredAt: new Date('2026-12-01T17:00:00.000Z'),
    };
    const first = await pullQboEntities(deps(), ctx.connectionId, [
      change,
      { ...change, entity: 'Estimate', entityId: '9' },
    ]);
    expect(first).toMatchObject({ fetched: 1, inserted: 1, skippedUnchanged: 0, ignored: 1 });
    const q = replay.served.filter(
      (s) => s.path === 'query' && s.search.get('query')?.includes('from invoice'),
    );
    expect(q.map((s) => s.search.get('query'))).toEqual([
      "select * from invoice where Id IN ('501') orderby Id startposition 1 maxresults 1000",
    ]);
    const rows = await database.db
      .select({ e: invoices.externalId })
      .from(invoices)
      .where(eq(invoices.firmId, ctx.firmId));
    expect(rows).toEqual([{ e: '501' }]);
    // the same notification again: nothing newer than what is stored, so no second pull
    const before = replay.served.length;
    const replayed = await pullQboEntities(deps(), ctx.connectionId, [change]);
    expect(replayed).toMatchObject({ fetched: 0, skippedUnchanged: 1, inserted: 0, updated: 0 });
    expect(
      replay.served
        .slice(before)
        .filter((s) => s.path === 'query' && s.search.get('query')?.includes('from invoice')),
    ).toEqual([]);
    // a newer change is pulled
    replay.dataset.entities.Invoice![0] = inv('501', {
      SyncToken: '1',
      Balance: 200,
      MetaData: meta('2026-12-01T17:30:00.000Z'),
    });
    const newer = await pullQboEntities(deps(), ctx.connectionId, [
      { ...change, occurredAt: new Date('2026-12-01T17:30:00.000Z') },
    ]);
    expect(newer).toMatchObject({ fetched: 1, updated: 1 });
    // a delete needs no read: the row is marked deleted
    const del = await pullQboEntities(deps(), ctx.connectionId, [
      { ...change, operation: 'Delete', occurredAt: new Date('2026-12-01T17:40:00.000Z') },
    ]);
    expect(del).toMatchObject({ fetched: 0, deleted: 1 });
    const [row] = await database.db
      .select()
      .from(invoices)
      .where(and(eq(invoices.firmId, ctx.firmId), eq(invoices.externalId, '501')));
    expect(row).toMatchObject({ status: 'deleted', providerAmountDueMinor: 20000 });
  });

  it('raises orphaned_payment when a void leaves a payment without its invoice', async () => {
    const ctx = await seedConnection(database.db, 'Orphan LLP');
    const pay = {
      Id: '600',
      TxnDate: '2026-11-22',
      TotalAmt: 500,
      UnappliedAmt: 0,
      CustomerRef: { value: '20' },
      DepositToAccountRef: { value: '4' },
      Line: [{ Amount: 500, LinkedTxn: [{ TxnId: '510', TxnType: 'Invoice' }] }],
      MetaData: meta('2026-11-22T10:00:00Z'),
    };
    const replay = createQboReplay(
      dataset({
        Invoice: [inv('510', { Balance: 0, LinkedTxn: [{ TxnId: '600', TxnType: 'Payment' }] })],
        Payment: [pay],
      }),
      { now: clock.now },
    );
    server.use(...replay.handlers);
    const c = connector();
    const first = await syncQbo({ db: database.db, logger: silentLogger }, c, ctx, {
      kinds: ['invoices', 'payments'],
    });
    expect(first).toMatchObject({ status: 'succeeded', orphanedPayments: 0 });
    // in QBO the invoice is voided: zero amounts, "Voided"; the payment keeps its money, now unapplied
    replay.dataset.entities.Invoice![0] = inv('510', {
      TotalAmt: 0,
      Balance: 0,
      PrivateNote: 'Voided',
      Line: [],
      SyncToken: '2',
      MetaData: meta('2026-12-01T18:10:00Z'),
    });
    replay.dataset.entities.Payment![0] = {
      ...pay,
      UnappliedAmt: 500,
      Line: [],
      SyncToken: '1',
      MetaData: meta('2026-12-01T18:10:00Z'),
    };
    const second = await syncQbo({ db: database.db, logger: silentLogger }, c, ctx, {
      kinds: ['invoices', 'payments'],
    });
    expect(second).toMatchObject({ status: 'succeeded', orphanedPayments: 1 });
    const [p] = await database.db.select().from(payments).where(eq(payments.firmId, ctx.firmId));
    expect(p).toMatchObject({ status: 'authorised', amountMinor: 50000 });
    const ex = await database.db
      .select()
      .from(exceptions)
      .where(and(eq(exceptions.firmId, ctx.firmId), eq(exceptions.kind, 'orphaned_payment')));
    expect(ex).toHaveLength(1);
    expect(ex[0]).toMatchObject({ subjectKind: 'payment', subjectId: p!.id, status: 'open' });
    expect(ex[0]!.reason).toContain('invoice 10510, which was voided');
    const [i] = await database.db
      .select({ s: invoices.status })
      .from(invoices)
      .where(eq(invoices.firmId, ctx.firmId));
    expect(i).toEqual({ s: 'voided' });
    // syncing again raises nothing new
    const third = await syncQbo({ db: database.db, logger: silentLogger }, c, ctx, {
      kinds: ['invoices', 'payments'],
    });
    expect(third.orphanedPayments).toBe(0);
  });
});
