import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQboConnector } from '../../../src/connectors/qbo/connector.js';
import { createQboReplay } from '../../../src/connectors/qbo/replay.js';
import type { Database } from '../../../src/db/client.js';
import {
  applications,
  bankTransactions,
  depositLinks,
  invoices,
  payments,
} from '../../../src/db/schema/index.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { runSync } from '../../../src/sync/run.js';
import { createTestDatabase } from '../../support/db.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';
import { dataset, meta, seedConnection } from './helpers.js';

type Obj = Record<string, unknown>;
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

const deps = () => ({ db: database.db, logger: silentLogger });

const invoice = (id: number, extra: Obj = {}): Obj => ({
  Id: String(id),
  SyncToken: '0',
  DocNumber: String(1000 + id),
  TxnDate: '2026-11-02',
  DueDate: '2026-12-02',
  CustomerRef: { value: '20', name: 'Red Rock Diner' },
  CurrencyRef: { value: 'USD' },
  TotalAmt: 100.0,
  Balance: 100.0,
  TxnTaxDetail: { TotalTax: 0 },
  Line: [
    {
      Id: '1',
      LineNum: 1,
      Amount: 100.0,
      DetailType: 'SalesItemLineDetail',
      SalesItemLineDetail: { ItemRef: { value: '1', name: 'Services' }, Qty: 1, UnitPrice: 100 },
    },
    { DetailType: 'SubTotalLineDetail', Amount: 100.0, SubTotalLineDetail: {} },
  ],
  LinkedTxn: [],
  MetaData: meta('2026-11-02T10:00:00-08:00'),
  ...extra,
});

describe('QBO pull', () => {
  it('pages 2,500 invoices in pages of 1,000 ordered by Id, none missed or repeated', async () => {
    const ctx = await seedConnection(database.db, 'Paging LLP');
    const all = Array.from({ length: 2500 }, (_, i) => invoice(i + 1));
    // serve them shuffled: the order must come from ORDERBY, not from storage
    all.sort((a, b) => ((Number(a.Id) * 7919) % 2503) - ((Number(b.Id) * 7919) % 2503));
    const replay = createQboReplay(dataset({ Invoice: all }));
    server.use(...replay.handlers);
    const report = await runSync(deps(), createQboConnector({ environment: 'production' }), ctx, {
      kinds: ['invoices'],
    });
    expect(report.status).toBe('succeeded');
    const queries = replay.served.filter((r) => r.path === 'query').map((r) => r.search.get('query'));
    const invoiceQueries = queries.filter((q) => q?.includes('from invoice'));
    expect(invoiceQueries).toEqual([
      'select * from invoice orderby Id startposition 1 maxresults 1000',
      'select * from invoice orderby Id startposition 1001 maxresults 1000',
      'select * from invoice orderby Id startposition 2001 maxresults 1000',
    ]);
    const rows = await database.db
      .select({ e: invoices.externalId })
      .from(invoices)
      .where(eq(invoices.firmId, ctx.firmId));
    expect(rows).toHaveLength(2500);
    expect(new Set(rows.map((r) => r.e)).size).toBe(2500);
    expect(report.kinds.invoices).toMatchObject({ pulled: 2500, inserted: 2500, errors: 0 });
    // the next pull is incremental (CDC) and writes nothing
    const again = await runSync(deps(), createQboConnector({ environment: 'production' }), ctx, {
      kinds: ['invoices'],
    });
    expect(again.kinds.invoices).toMatchObject({ inserted: 0, updated: 0 });
    expect(replay.served.at(-1)?.path).toBe('cdc');
  }, 240_000);

  it('maps one payment applied to two invoices into two applications', async () => {
    const ctx = await seedConnection(database.db, 'Two Invoice LLP');
    const p = jsonFixture<{ Payment: Obj }>('qbo', 'payment-applied-to-two-invoices.json').Payment;
    const replay = createQboReplay(
      dataset({
        Invoice: [
          invoice(210, { CustomerRef: { value: '27' }, DocNumber: '1067', Balance: 0 }),
          invoice(211, { CustomerRef: { value: '27' }, DocNumber: '1068', Balance: 0 }),
        ],
        Payment: [p],
      }),
    );
    server.use(...replay.handlers);
    const r = await runSync(deps(), createQboConnector({ environment: 'production' }), ctx, {
      kinds: ['invoices', 'payments'],
    });
    expect(r.status).toBe('succeeded');
    const [pay] = await database.db.select().from(payments).where(eq(payments.firmId, ctx.firmId));
    expect(pay).toMatchObject({
      externalId: '223',
      amountMinor: 20000,
      currency: 'USD',
      contactExternalId: '27',
      bankLedgerAccountExternalId: '4',
      invoiceExternalId: null,
      status: 'authorised',
      date: '2025-01-05',
    });
    const apps = await database.db
      .select({
        key: applications.key,
        inv: applications.invoiceExternalId,
        amt: applications.amountMinor,
        src: applications.source,
        status: applications.status,
      })
      .from(applications)
      .where(eq(applications.firmId, ctx.firmId))
      .orderBy(applications.key);
    expect(apps).toEqual([
      { key: 'qbo:payment:223:210', inv: '210', amt: 10000, src: 'payment', status: 'active' },
      { key: 'qbo:payment:223:211', inv: '211', amt: 10000, src: 'payment', status: 'active' },
    ]);
    const inv = await database.db
      .select({ e: invoices.externalId, status: invoices.status, due: invoices.providerAmountDueMinor })
      .from(invoices)
      .where(eq(invoices.firmId, ctx.firmId))
      .orderBy(invoices.externalId);
    expect(inv).toEqual([
      { e: '210', status: 'paid', due: 0 },
      { e: '211', status: 'paid', due: 0 },
    ]);
  });

  it('keeps the unapplied remainder of a partial payment as amount minus applications', async () => {
    const ctx = await seedConnection(database.db, 'Partial LLP');
    const fixture = jsonFixture<{ QueryResponse: { Payment: Obj[] } }>(
      'qbo',
      'payment-query-unapplied-and-partial.json',
    );
    const replay = createQboReplay(dataset({ Payment: fixture.QueryResponse.Payment }));
    server.use(...replay.handlers);
    await runSync(deps(), createQboConnector({ environment: 'production' }), ctx, { kinds: ['payments'] });
    const [p164] = await database.db
      .select()
      .from(payments)
      .where(and(eq(payments.firmId, ctx.firmId), eq(payments.externalId, '164')));
    expect(p164).toMatchObject({ amountMinor: 30000, invoiceExternalId: '70', contactExternalId: '20' });
    const apps = await database.db
      .select({ amt: applications.amountMinor, inv: applications.invoiceExternalId })
      .from(applications)
      .where(and(eq(applications.firmId, ctx.firmId), eq(applications.sourceExternalId, '164')));
    expect(apps).toEqual([{ amt: 5500, inv: '70' }]);
    // UnappliedAmt 245.00 = 300.00 − 55.00
    expect(p164!.amountMinor - apps.reduce((s, a) => s + a.amt, 0)).toBe(24500);
    // a fully unapplied payment has no applications at all
    const none = await database.db
      .select()
      .from(applications)
      .where(and(eq(applications.firmId, ctx.firmId), eq(applications.sourceExternalId, '161')));
    expect(none).toEqual([]);
  });

  it('takes a Deposit from Undeposited Funds as one bank-side deposit linking the payment', async () => {
    const ctx = await seedConnection(database.db, 'Deposit LLP');
    const d = jsonFixture<{ Deposit: Obj }>('qbo', 'deposit-linked-payment.json').Deposit;
    const pay = {
      Id: '120',
      TxnDate: '2014-12-20',
      TotalAmt: 1675,
      UnappliedAmt: 1675,
      CustomerRef: { value: '8' },
      DepositToAccountRef: { value: '4' },
      Line: [],
      MetaData: meta('2014-12-20T09:00:00-08:00'),
    };
    const replay = createQboReplay(dataset({ Deposit: [d], Payment: [pay] }));
    server.use(...replay.handlers);
    const r = await runSync(deps(), createQboConnector({ environment: 'production' }), ctx, {
      kinds: ['payments', 'bank_transactions'],
    });
    expect(r.status).toBe('succeeded');
    const bt = await database.db
      .select()
      .from(bankTransactions)
      .where(eq(bankTransactions.firmId, ctx.firmId));
    expect(bt).toHaveLength(1);
    expect(bt[0]).toMatchObject({
      externalId: 'deposit:148',
      type: 'deposit',
      amountMinor: 167552,
      bankLedgerAccountExternalId: '35',
      date: '2014-12-22',
      lineAccountCodes: [],
    });
    const links = await database.db.select().from(depositLinks).where(eq(depositLinks.firmId, ctx.firmId));
    expect(
      links.map((l) => ({
        d: l.depositExternalId,
        k: l.linkedKind,
        id: l.linkedExternalId,
        amt: l.amountMinor,
      })),
    ).toEqual([{ d: 'deposit:148', k: 'payment', id: '120', amt: 167500 }]);
    const [p] = await database.db.select().from(payments).where(eq(payments.firmId, ctx.firmId));
    expect(p).toMatchObject({ externalId: '120', bankLedgerAccountExternalId: '4' });
  });

  it('marks an entity CDC reports Deleted as deleted and reverses what it applied', async () => {
    const ctx = await seedConnection(database.db, 'CDC LLP');
    const p = jsonFixture<{ Payment: Obj }>('qbo', 'payment-applied-to-two-invoices.json').Payment;
    p.MetaData = meta('2026-11-20T10:00:00Z');
    const clock = { now: () => new Date('2026-12-01T12:00:00Z') };
    const replay = createQboReplay(
      dataset({ Invoice: [invoice(210, { Balance: 0 }), invoice(211, { Balance: 0 })], Payment: [p] }),
      { now: clock.now },
    );
    server.use(...replay.handlers);
    const connector = createQboConnector({ environment: 'production', clock });
    await runSync(deps(), connector, ctx, { kinds: ['payments'] });
    // the payment is deleted in QBO; CDC answers with the Intuit shape: status Deleted, Id only
    replay.dataset.entities.Payment = [];
    replay.dataset.deleted = [{ entity: 'Payment', Id: '223', at: '2026-12-01T12:00:00Z' }];
    const cdcBody = jsonFixture<Obj>('qbo', 'cdc-response-with-deleted.json');
    expect(JSON.stringify(cdcBody)).toContain('"status":"Deleted"');
    const r = await runSync(deps(), connector, ctx, { kinds: ['payments'] });
    expect(r.status).toBe('succeeded');
    const cdcCall = replay.served.at(-1)!;
    expect(cdcCall.path).toBe('cdc');
    expect(cdcCall.search.get('entities')).toBe('Payment');
    const [row] = await database.db.select().from(payments).where(eq(payments.firmId, ctx.firmId));
    expect(row).toMatchObject({ externalId: '223', status: 'deleted', amountMinor: 20000 });
    expect(row!.vanishedAt).not.toBeNull();
    const apps = await database.db
      .select({ s: applications.status })
      .from(applications)
      .where(eq(applications.firmId, ctx.firmId));
    expect(apps).toEqual([{ s: 'reversed' }, { s: 'reversed' }]);
  });

  it('takes a voided invoice as voided, not deleted, with its zero amounts', async () => {
    const ctx = await seedConnection(database.db, 'Void LLP');
    const voided = invoice(300, {
      TotalAmt: 0,
      Balance: 0,
      PrivateNote: 'Voided',
      Line: [
        {
          Id: '1',
          Amount: 0,
          DetailType: 'SalesItemLineDetail',
          SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 1, UnitPrice: 0 },
        },
      ],
    });
    const replay = createQboReplay(dataset({ Invoice: [voided, invoice(301)] }));
    server.use(...replay.handlers);
    await runSync(deps(), createQboConnector({ environment: 'production' }), ctx, { kinds: ['invoices'] });
    const rows = await database.db
      .select({ e: invoices.externalId, s: invoices.status, t: invoices.totalMinor, v: invoices.vanishedAt })
      .from(invoices)
      .where(eq(invoices.firmId, ctx.firmId))
      .orderBy(invoices.externalId);
    expect(rows).toEqual([
      { e: '300', s: 'voided', t: 0, v: null },
      { e: '301', s: 'authorised', t: 10000, v: null },
    ]);
  });
});
