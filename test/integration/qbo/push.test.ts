import { and, eq } from 'drizzle-orm';
import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.js';
import { createQboConnector } from '../../../src/connectors/qbo/connector.js';
import { createQboReplay } from '../../../src/connectors/qbo/replay.js';
import type { Database } from '../../../src/db/client.js';
import { exceptions, outboundWrites } from '../../../src/db/schema/index.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { AppError } from '../../../src/lib/errors.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { pushQbo } from '../../../src/providers/qbo/books.js';
import { createTestDatabase } from '../../support/db.js';
import { server } from '../../support/msw.js';
import { dataset, meta, preferences, REALM, seedConnection, TOKEN } from './helpers.js';

type Obj = Record<string, unknown>;
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

const fastTimer = { now: () => Date.now(), sleep: async () => {} };
const deps = () => ({
  db: database.db,
  logger: silentLogger,
  clock: fixedClock('2026-12-03T10:00:00Z'),
  config: loadConfig({}),
  services: {
    qbo: {
      connector: createQboConnector({ environment: 'production', timer: fastTimer }),
      accessToken: () => async () => TOKEN,
    },
  },
});
const BASE = `https://quickbooks.api.intuit.com/v3/company/${REALM}`;

const invoiceWrite = (subject: string, extra: Obj = {}) => ({
  op: 'invoice.create' as const,
  subject,
  invoice: {
    customerExternalId: '20',
    txnDate: '2026-12-01',
    currency: 'USD',
    lines: [
      {
        itemExternalId: '1',
        description: 'Advice, November',
        quantity: '2.5',
        unitPrice: '300',
        amountMinor: 75000,
      },
    ],
    ...extra,
  },
});

const posts = (replay: ReturnType<typeof createQboReplay>, path: string) =>
  replay.served.filter((r) => r.method === 'POST' && r.path === path);

describe('QBO push', () => {
  it('re-sends the same requestid when a create is retried after a 503', async () => {
    const ctx = await seedConnection(database.db, 'Retry LLP');
    const replay = createQboReplay(dataset({}));
    const seen: string[] = [];
    server.use(
      http.post(
        `${BASE}/invoice`,
        ({ request }) => {
          seen.push(new URL(request.url).searchParams.get('requestid') ?? '');
          return HttpResponse.text('Service Unavailable', { status: 503 });
        },
        { once: true },
      ),
      ...replay.handlers,
    );
    const r = await pushQbo(deps(), ctx.connectionId, invoiceWrite('invoice:draft-1'));
    expect(r.status).toBe('succeeded');
    const created = posts(replay, 'invoice');
    expect(created).toHaveLength(1);
    expect(seen).toHaveLength(1);
    expect(created[0]!.search.get('requestid')).toBe(seen[0]);
    expect(seen[0]).toMatch(/^[0-9a-f]{36}$/);
    // our record of the write
    const [w] = await database.db
      .select()
      .from(outboundWrites)
      .where(eq(outboundWrites.connectionId, ctx.connectionId));
    expect(w).toMatchObject({
      provider: 'qbo',
      operation: 'invoice.create',
      status: 'succeeded',
      idempotencyKey: seen[0],
      subject: 'invoice:draft-1',
    });
    expect(w!.externalId).toBe((r as { externalId: string }).externalId);
    // pushing the same record again sends nothing and answers with the stored id
    const again = await pushQbo(deps(), ctx.connectionId, invoiceWrite('invoice:draft-1'));
    expect(again).toMatchObject({ status: 'succeeded', replayed: true, externalId: w!.externalId });
    expect(posts(replay, 'invoice')).toHaveLength(1);
    // the amounts QBO received are decimal, from minor units
    expect(created[0]!.body).toMatchObject({
      CustomerRef: { value: '20' },
      Line: [{ Amount: 750, SalesItemLineDetail: { Qty: 2.5, UnitPrice: 300 } }],
    });
  });

  it('sends ExchangeRate with a EUR invoice in a USD company', async () => {
    const ctx = await seedConnection(database.db, 'FX LLP');
    const replay = createQboReplay(dataset({}));
    server.use(...replay.handlers);
    await pushQbo(
      deps(),
      ctx.connectionId,
      invoiceWrite('invoice:eur-1', { currency: 'EUR', exchangeRate: '1.0825' }),
    );
    const [sent] = posts(replay, 'invoice');
    expect(sent!.body).toMatchObject({ CurrencyRef: { value: 'EUR' }, ExchangeRate: 1.0825 });
    // and refuses, without sending, a foreign invoice with no rate
    await expect(
      pushQbo(deps(), ctx.connectionId, invoiceWrite('invoice:eur-2', { currency: 'EUR' })),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(posts(replay, 'invoice')).toHaveLength(1);
    // a home-currency invoice carries none
    await pushQbo(deps(), ctx.connectionId, invoiceWrite('invoice:usd-1'));
    expect(posts(replay, 'invoice')[1]!.body).not.toHaveProperty('ExchangeRate');
  });

  it('surfaces a duplicate document number (6140) once, without retrying', async () => {
    const ctx = await seedConnection(database.db, 'Dup LLP');
    const replay = createQboReplay(
      dataset({
        Invoice: [
          {
            Id: '9',
            DocNumber: '1042',
            TxnDate: '2026-11-01',
            CustomerRef: { value: '20' },
            TotalAmt: 10,
            Line: [],
            MetaData: meta('2026-11-01T10:00:00Z'),
          },
        ],
      }),
    );
    server.use(...replay.handlers);
    const e = await pushQbo(
      deps(),
      ctx.connectionId,
      invoiceWrite('invoice:dup', { docNumber: '1042' }),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect(e).toMatchObject({ code: 'provider_duplicate', retryable: false });
    expect((e as Error).message).toContain('6140');
    expect((e as Error).message).toContain('duplicate document number');
    expect(posts(replay, 'invoice')).toHaveLength(1);
    const [w] = await database.db
      .select()
      .from(outboundWrites)
      .where(eq(outboundWrites.connectionId, ctx.connectionId));
    expect(w).toMatchObject({ status: 'failed', attempts: 1 });
    const ex = await database.db
      .select()
      .from(exceptions)
      .where(and(eq(exceptions.firmId, ctx.firmId), eq(exceptions.kind, 'push_rejected')));
    expect(ex).toHaveLength(1);
    expect(ex[0]!.subjectId).toBe('invoice:dup');
  });

  it('re-reads after a stale SyncToken (5010) and retries the void once', async () => {
    const ctx = await seedConnection(database.db, 'Stale LLP');
    const inv = {
      Id: '77',
      SyncToken: '3',
      DocNumber: '1077',
      TxnDate: '2026-11-20',
      CustomerRef: { value: '20' },
      TotalAmt: 120,
      Balance: 120,
      Line: [
        {
          Id: '1',
          Amount: 120,
          DetailType: 'SalesItemLineDetail',
          SalesItemLineDetail: { ItemRef: { value: '1' } },
        },
      ],
      MetaData: meta('2026-11-20T10:00:00Z'),
    };
    const replay = createQboReplay(dataset({ Invoice: [inv] }));
    // someone edits the invoice in QBO between our read and our void
    server.use(
      http.post(
        `${BASE}/invoice`,
        async ({ request }) => {
          const stored = replay.dataset.entities.Invoice![0]!;
          stored.SyncToken = '4';
          const body = (await request.json()) as Obj;
          return HttpResponse.json(
            {
              Fault: {
                Error: [
                  {
                    Message: 'Stale Object Error',
                    Detail: `Stale Object Error : You and another user were working on the same thing. SyncToken ${String(body.SyncToken)}`,
                    code: '5010',
                    element: '',
                  },
                ],
                type: 'ValidationFault',
              },
              time: '2026-12-03T02:00:00.000-08:00',
            },
            { status: 400 },
          );
        },
        { once: true },
      ),
      ...replay.handlers,
    );
    const r = await pushQbo(deps(), ctx.connectionId, {
      op: 'invoice.void',
      subject: 'invoice:77',
      externalId: '77',
    });
    expect(r.status).toBe('succeeded');
    const reads = replay.served.filter((s) => s.method === 'GET' && s.path === 'invoice/77');
    expect(reads).toHaveLength(2);
    const voids = replay.served.filter((s) => s.method === 'POST' && s.path === 'invoice');
    // the 5010 answer came from the once-handler; the retry, at the fresh token, reached the company
    expect(voids).toHaveLength(1);
    expect(voids[0]!.search.get('operation')).toBe('void');
    expect(voids[0]!.body).toMatchObject({ Id: '77', SyncToken: '4' });
    expect(replay.dataset.entities.Invoice![0]).toMatchObject({
      TotalAmt: 0,
      PrivateNote: 'Voided',
      SyncToken: '5',
    });
  });

  it('reports a conflict when the token is stale twice', async () => {
    const ctx = await seedConnection(database.db, 'Stale Twice LLP');
    const inv = {
      Id: '78',
      SyncToken: '1',
      TxnDate: '2026-11-20',
      CustomerRef: { value: '20' },
      TotalAmt: 5,
      Line: [],
      MetaData: meta('2026-11-20T10:00:00Z'),
    };
    const replay = createQboReplay(dataset({ Invoice: [inv] }));
    let posted = 0;
    server.use(
      http.post(`${BASE}/invoice`, () => {
        posted++;
        return HttpResponse.json(
          {
            Fault: {
              Error: [{ Message: 'Stale Object Error', Detail: 'stale', code: '5010' }],
              type: 'ValidationFault',
            },
          },
          { status: 400 },
        );
      }),
      ...replay.handlers,
    );
    await expect(
      pushQbo(deps(), ctx.connectionId, { op: 'invoice.void', subject: 'invoice:78', externalId: '78' }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(posted).toBe(2);
  });

  it('never sends Line in a sparse update unless all lines are replaced', async () => {
    const ctx = await seedConnection(database.db, 'Sparse LLP');
    const inv = {
      Id: '79',
      SyncToken: '0',
      TxnDate: '2026-11-20',
      CustomerRef: { value: '20' },
      TotalAmt: 5,
      Line: [],
      MetaData: meta('2026-11-20T10:00:00Z'),
    };
    const replay = createQboReplay(dataset({ Invoice: [inv] }));
    server.use(...replay.handlers);
    await expect(
      pushQbo(deps(), ctx.connectionId, {
        op: 'invoice.update',
        subject: 'invoice:79:memo',
        externalId: '79',
        patch: { Line: [] },
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await pushQbo(deps(), ctx.connectionId, {
      op: 'invoice.update',
      subject: 'invoice:79:due',
      externalId: '79',
      patch: { DueDate: '2026-12-31' },
    });
    const [u] = posts(replay, 'invoice');
    expect(u!.body).toEqual({ DueDate: '2026-12-31', Id: '79', SyncToken: '0', sparse: true });
  });

  it('does not send a payment dated on or before BookCloseDate: it becomes an exception', async () => {
    const ctx = await seedConnection(database.db, 'Closed LLP');
    const replay = createQboReplay(dataset({}, { preferences: preferences('2026-10-31') }));
    server.use(...replay.handlers);
    const write = {
      op: 'payment.create' as const,
      subject: 'application:bank-line-42',
      payment: {
        customerExternalId: '20',
        txnDate: '2026-10-15',
        amountMinor: 50000,
        currency: 'USD',
        applications: [{ invoiceExternalId: '70', amountMinor: 50000 }],
      },
    };
    const r = await pushQbo(deps(), ctx.connectionId, write);
    expect(r).toMatchObject({ status: 'blocked', bookCloseDate: '2026-10-31' });
    expect(replay.served.filter((s) => s.method === 'POST')).toEqual([]);
    const [w] = await database.db
      .select()
      .from(outboundWrites)
      .where(eq(outboundWrites.connectionId, ctx.connectionId));
    expect(w).toMatchObject({ status: 'blocked', attempts: 0, operation: 'payment.create' });
    const ex = await database.db.select().from(exceptions).where(eq(exceptions.firmId, ctx.firmId));
    expect(ex.map((x) => ({ kind: x.kind, subject: x.subjectId }))).toEqual([
      { kind: 'push_blocked_locked_period', subject: 'application:bank-line-42' },
    ]);
    expect(ex[0]!.reason).toContain('2026-10-31');
    // a payment dated after the close is sent, applied to the invoices given
    const ok = await pushQbo(deps(), ctx.connectionId, {
      ...write,
      subject: 'application:bank-line-43',
      payment: {
        ...write.payment,
        txnDate: '2026-11-05',
        amountMinor: 70000,
        applications: [
          { invoiceExternalId: '70', amountMinor: 40000 },
          { invoiceExternalId: '71', amountMinor: 30000 },
        ],
      },
    });
    expect(ok.status).toBe('succeeded');
    expect(posts(replay, 'payment')[0]!.body).toEqual({
      CustomerRef: { value: '20' },
      TxnDate: '2026-11-05',
      TotalAmt: 700,
      CurrencyRef: { value: 'USD' },
      Line: [
        { Amount: 400, LinkedTxn: [{ TxnId: '70', TxnType: 'Invoice' }] },
        { Amount: 300, LinkedTxn: [{ TxnId: '71', TxnType: 'Invoice' }] },
      ],
    });
  });
});
