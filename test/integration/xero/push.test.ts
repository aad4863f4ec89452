import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { XERO_DOCUMENT_KINDS } from '../../../src/connectors/xero/connector.js';
import type { InvoiceToPush } from '../../../src/connectors/xero/push.js';
import { type XeroOrgDataset, xeroReplayHandlers } from '../../../src/connectors/xero/replay.js';
import { applications, exceptions, invoices, outboundWrites } from '../../../src/db/schema/index.js';
import {
  deleteXeroPayment,
  pushXeroInvoices,
  pushXeroPayment,
  syncXeroConnection,
} from '../../../src/providers/xero/index.js';
import { recordRequests, server } from '../../support/msw.js';
import { type Harness, harness, TENANT } from './harness.js';

const md = (day: string) => `/Date(${Date.parse(`${day}T00:00:00Z`)}+0000)/`;
const API = 'https://api.xero.com/api.xro/2.0';

function org(lock: string | null = null): XeroOrgDataset {
  return {
    Organisation: {
      OrganisationID: TENANT,
      Name: 'Push Org',
      BaseCurrency: 'NZD',
      ...(lock ? { PeriodLockDate: md(lock) } : {}),
    },
    Accounts: [
      {
        AccountID: 'acc-090',
        Code: '090',
        Name: 'Operating',
        Type: 'BANK',
        UpdatedDateUTC: md('2026-01-01'),
      },
      { AccountID: 'acc-200', Code: '200', Name: 'Sales', Type: 'REVENUE', UpdatedDateUTC: md('2026-01-01') },
    ],
    Contacts: [
      { ContactID: 'c-1', Name: 'Client One', ContactStatus: 'ACTIVE', UpdatedDateUTC: md('2026-01-01') },
    ],
    Invoices: [],
    Payments: [],
  };
}

const draft = (id: string, over: Partial<InvoiceToPush> = {}): InvoiceToPush => ({
  id,
  contactExternalId: 'c-1',
  issueDate: '2026-11-20',
  dueDate: '2026-12-20',
  currency: 'NZD',
  currencyRate: null,
  taxMode: 'none',
  number: null,
  reference: `ref ${id}`,
  status: 'AUTHORISED',
  lines: [
    { description: 'Advice', quantity: '1.5', unitAmount: '200.1234', accountCode: '200', taxType: null },
  ],
  ...over,
});

describe('Xero push', () => {
  let h: Harness;
  afterEach(async () => h?.database.close());

  it('retries an invoice create with the same Idempotency-Key and creates one invoice', async () => {
    h = await harness();
    const data = org();
    const replay = xeroReplayHandlers(data, { tenantId: TENANT, now: () => h.clock.now().getTime() });
    const put = replay[0]!;
    let calls = 0;
    server.use(
      // the first answer is lost on the way back although Xero created the invoice
      http.put(`${API}/Invoices`, async ({ request }) => {
        calls++;
        const r = await put.run({ request: request.clone() as never, requestId: randomUUID() });
        if (calls === 1) return new HttpResponse(null, { status: 503 });
        return r?.response;
      }),
      ...replay,
    );
    const seen = recordRequests();
    const [out] = await pushXeroInvoices(h.deps, h.connectionId, [draft('our-1')]);
    const puts = seen.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(2);
    expect(puts[0]?.headers.get('idempotency-key')).toMatch(/^lb-batch-/);
    expect(puts[1]?.headers.get('idempotency-key')).toBe(puts[0]?.headers.get('idempotency-key'));
    expect(new URL(puts[0]!.url).searchParams.get('summarizeErrors')).toBe('false');
    expect(new URL(puts[0]!.url).searchParams.get('unitdp')).toBe('4');
    expect(JSON.parse(puts[0]!.body).Invoices[0].LineItems[0].UnitAmount).toBe(200.1234);
    expect(data.Invoices).toHaveLength(1);
    const created = (data.Invoices as Record<string, unknown>[])[0]!;
    expect(out).toEqual({
      subject: 'invoice:our-1',
      status: 'succeeded',
      externalId: created.InvoiceID,
      alreadySent: false,
    });
    expect(created.Total).toBe(300.19);

    // pushed again later (Xero has long forgotten the key): our outbox answers, nothing is sent
    const later = recordRequests();
    const [again] = await pushXeroInvoices(h.deps, h.connectionId, [draft('our-1')]);
    expect(again).toMatchObject({ status: 'succeeded', externalId: created.InvoiceID, alreadySent: true });
    expect(later.filter((r) => r.method === 'PUT')).toHaveLength(0);
    expect(data.Invoices).toHaveLength(1);
  });

  it('checks every element of a batch: a bad account code fails alone, the others keep their ids', async () => {
    h = await harness();
    const data = org();
    h.serve(data);
    const seen = recordRequests();
    const out = await pushXeroInvoices(h.deps, h.connectionId, [
      draft('a'),
      draft('b', {
        lines: [
          { description: 'Advice', quantity: '1', unitAmount: '10', accountCode: '999', taxType: null },
        ],
      }),
      // a USD invoice at our rate 1.6 NZD per USD: Xero's CurrencyRate is the inverse
      draft('c', { currency: 'USD', currencyRate: '1.6' }),
    ]);
    const ids = (data.Invoices as Record<string, unknown>[]).map((i) => i.InvoiceID);
    expect(ids).toHaveLength(2);
    expect(out).toEqual([
      { subject: 'invoice:a', status: 'succeeded', externalId: ids[0], alreadySent: false },
      {
        subject: 'invoice:b',
        status: 'failed',
        index: 1,
        field: 'LineItems.0',
        messages: ["Account code '999' is not a valid code for this document."],
      },
      { subject: 'invoice:c', status: 'succeeded', externalId: ids[1], alreadySent: false },
    ]);
    const sent = JSON.parse(seen.find((r) => r.method === 'PUT')!.body).Invoices;
    expect(sent[2].CurrencyRate).toBe(0.625);
    const rows = await h.database.db
      .select({
        subject: outboundWrites.subject,
        status: outboundWrites.status,
        externalId: outboundWrites.externalId,
      })
      .from(outboundWrites)
      .orderBy(outboundWrites.subject);
    expect(rows).toEqual([
      { subject: 'invoice:a', status: 'succeeded', externalId: ids[0] },
      { subject: 'invoice:b', status: 'failed', externalId: null },
      { subject: 'invoice:c', status: 'succeeded', externalId: ids[1] },
    ]);
    const rejected = await h.database.db
      .select()
      .from(exceptions)
      .where(eq(exceptions.kind, 'push_rejected'));
    expect(rejected.map((e) => e.subjectId)).toEqual(['invoice:b']);

    // round trip: the pulled USD invoice has our rate back and the base amount it implies
    await syncXeroConnection(h.deps, h.connectionId, { kinds: ['invoices'] });
    const [usd] = await h.database.db
      .select()
      .from(invoices)
      .where(eq(invoices.externalId, String(ids[1])));
    expect(usd).toMatchObject({
      currency: 'USD',
      currencyRate: '1.6',
      totalMinor: 30019,
      baseTotalMinor: 48030,
    });
  });

  it('brings an invoice balance back after a payment delete and the next pull', async () => {
    h = await harness();
    const data = org();
    (data.Invoices as unknown[]).push({
      Type: 'ACCREC',
      InvoiceID: 'inv-1',
      InvoiceNumber: 'INV-1',
      Contact: { ContactID: 'c-1', Name: 'Client One' },
      Date: md('2026-11-01'),
      Status: 'AUTHORISED',
      LineAmountTypes: 'NoTax',
      LineItems: [],
      SubTotal: 115,
      TotalTax: 0,
      Total: 115,
      AmountDue: 115,
      CurrencyCode: 'NZD',
      CurrencyRate: 1,
      UpdatedDateUTC: md('2026-11-01'),
    });
    h.serve(data);
    const open = async () => {
      const [r] = await h.database.db
        .select({
          open: sql<string>`(${invoices.totalMinor} - coalesce((select sum(a.amount_minor) from ${applications} a where a.invoice_external_id = ${invoices.externalId} and a.status = 'active'), 0))::text`,
          due: invoices.providerAmountDueMinor,
        })
        .from(invoices)
        .where(eq(invoices.externalId, 'inv-1'));
      return r;
    };
    await syncXeroConnection(h.deps, h.connectionId, { kinds: XERO_DOCUMENT_KINDS });
    expect(await open()).toEqual({ open: '11500', due: 11500 });
    h.clock.advance(60_000);
    const paid = await pushXeroPayment(h.deps, h.connectionId, {
      id: 'our-pay-1',
      invoiceExternalId: 'inv-1',
      account: { code: '090' },
      date: '2026-11-21',
      amountMinor: 11500,
      currency: 'NZD',
      reference: 'Stripe payout',
    });
    expect(paid.status).toBe('succeeded');
    await syncXeroConnection(h.deps, h.connectionId, { kinds: XERO_DOCUMENT_KINDS });
    expect(await open()).toEqual({ open: '0', due: 0 });
    h.clock.advance(60_000);
    const paymentId = paid.status === 'succeeded' ? paid.externalId : '';
    const seen = recordRequests();
    await deleteXeroPayment(h.deps, h.connectionId, paymentId);
    expect(seen.find((r) => r.method === 'POST')?.headers.get('idempotency-key')).toMatch(/^lb-/);
    await syncXeroConnection(h.deps, h.connectionId, { kinds: XERO_DOCUMENT_KINDS });
    expect(await open()).toEqual({ open: '11500', due: 11500 });
    const [app] = await h.database.db
      .select({ status: applications.status })
      .from(applications)
      .where(and(eq(applications.key, `payment:${paymentId}`)));
    expect(app?.status).toBe('reversed');
  });

  it('reports a payment Xero rejects as a clear, final failure', async () => {
    h = await harness();
    h.serve(org());
    const seen = recordRequests();
    const out = await pushXeroPayment(h.deps, h.connectionId, {
      id: 'our-pay-x',
      invoiceExternalId: 'no-such-invoice',
      account: { code: '090' },
      date: '2026-11-21',
      amountMinor: 100,
      currency: 'NZD',
      reference: null,
    });
    expect(out).toEqual({
      subject: 'payment:our-pay-x',
      status: 'failed',
      index: 0,
      field: null,
      messages: ['Invoice could not be found'],
    });
    // not retried
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(1);
    const [row] = await h.database.db.select().from(outboundWrites);
    expect(row).toMatchObject({ status: 'failed', error: 'Invoice could not be found' });
  });

  it('does not push an invoice dated inside the lock date: it becomes an exception', async () => {
    h = await harness();
    const data = org('2026-10-31');
    h.serve(data);
    const seen = recordRequests();
    const [out] = await pushXeroInvoices(h.deps, h.connectionId, [draft('old', { issueDate: '2026-10-15' })]);
    expect(out).toEqual({ subject: 'invoice:old', status: 'blocked', lockDate: '2026-10-31' });
    expect(seen.filter((r) => r.method === 'PUT')).toHaveLength(0);
    expect(data.Invoices).toHaveLength(0);
    const [ex] = await h.database.db
      .select()
      .from(exceptions)
      .where(eq(exceptions.kind, 'push_blocked_locked_period'));
    expect(ex).toMatchObject({ subjectId: 'invoice:old', status: 'open' });
    const [row] = await h.database.db.select().from(outboundWrites);
    expect(row?.status).toBe('blocked');
  });
});
