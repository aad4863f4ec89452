import { and, eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { connections, exceptions, glPostings } from '../../../src/db/schema/index.js';
import { syncXeroConnection } from '../../../src/providers/xero/index.js';
import { recordRequests } from '../../support/msw.js';
import { type Harness, harness } from './harness.js';

const md = (day: string) => `/Date(${Date.parse(`${day}T00:00:00Z`)}+0000)/`;
const AR = { AccountID: 'acc-610', AccountCode: '610', AccountName: 'Accounts Receivable' };
const SALES = { AccountID: 'acc-200', AccountCode: '200', AccountName: 'Sales' };
const GST = { AccountID: 'acc-820', AccountCode: '820', AccountName: 'GST' };

function journal(n: number, source: string, lines: [typeof AR, number][]) {
  return {
    JournalID: `j-${n}`,
    JournalDate: md('2026-11-05'),
    JournalNumber: n,
    CreatedDateUTC: md('2026-11-05'),
    Reference: '',
    SourceID: source,
    SourceType: 'ACCREC',
    JournalLines: lines.map(([a, amount], i) => ({
      JournalLineID: `jl-${n}-${i}`,
      ...a,
      AccountType: 'CURRENT',
      Description: '',
      NetAmount: amount,
      GrossAmount: amount,
      TaxAmount: 0,
      TrackingCategories: [],
    })),
  };
}

describe('Xero GL postings', () => {
  let h: Harness;
  afterEach(async () => h?.database.close());

  it('pages 250 journals by offset, and an invoice edited after authorisation posts its final amount', async () => {
    h = await harness();
    const journals = Array.from({ length: 250 }, (_, i) =>
      journal(i + 1, `inv-${i + 1}`, [
        [AR, 10],
        [SALES, -10],
      ]),
    );
    // invoice "edited" after authorisation: original, reversal, new version
    journals[9] = journal(10, 'inv-edited', [
      [AR, 115],
      [SALES, -100],
      [GST, -15],
    ]);
    journals[119] = journal(120, 'inv-edited', [
      [AR, -115],
      [SALES, 100],
      [GST, 15],
    ]);
    journals[120] = journal(121, 'inv-edited', [
      [AR, 230],
      [SALES, -200],
      [GST, -30],
    ]);
    h.serve({ Journals: journals });
    const seen = recordRequests();
    const out = await syncXeroConnection(h.deps, h.connectionId, { kinds: ['gl_postings'] });
    expect(out.status).toBe('done');
    expect(
      seen.filter((r) => r.url.includes('/Journals')).map((r) => new URL(r.url).searchParams.get('offset')),
    ).toEqual(['0', '100', '200']);
    const [n] = await h.database.db.select({ n: sql<number>`count(*)::int` }).from(glPostings);
    expect(n?.n).toBe(247 * 2 + 3 * 3);
    const posted = await h.database.db
      .select({ code: glPostings.accountCode, total: sql<string>`sum(${glPostings.amountMinor})::text` })
      .from(glPostings)
      .where(eq(glPostings.sourceExternalId, 'inv-edited'))
      .groupBy(glPostings.accountCode)
      .orderBy(glPostings.accountCode);
    expect(posted).toEqual([
      { code: '200', total: '-20000' },
      { code: '610', total: '23000' },
      { code: '820', total: '-3000' },
    ]);
    const [j] = await h.database.db.select().from(glPostings).where(eq(glPostings.externalId, 'jl-121-0'));
    expect(j).toMatchObject({ journalNumber: 121, sourceType: 'ACCREC', derived: false, date: '2026-11-05' });

    // the next sync starts after the last journal and writes nothing
    const again = recordRequests();
    const out2 = await syncXeroConnection(h.deps, h.connectionId, { kinds: ['gl_postings'] });
    expect(out2.status === 'done' && out2.report.kinds.gl_postings).toMatchObject({
      inserted: 0,
      updated: 0,
    });
    expect(again.map((r) => new URL(r.url).searchParams.get('offset'))).toEqual(['250']);
  });

  it('derives the GL from documents when Journals are refused, matching the trial balance', async () => {
    h = await harness();
    const contact = { ContactID: 'c-1', Name: 'Client One' };
    const inv = (id: string, day: string, status: string, qty: number, unit: number, tax: number) => ({
      Type: 'ACCREC',
      InvoiceID: id,
      InvoiceNumber: id.toUpperCase(),
      Contact: contact,
      DateString: `${day}T00:00:00`,
      Date: md(day),
      DueDate: md(day),
      Status: status,
      LineAmountTypes: 'Exclusive',
      LineItems: [
        {
          LineItemID: `${id}-l1`,
          Description: 'Advice',
          Quantity: qty,
          UnitAmount: unit,
          LineAmount: qty * unit,
          TaxAmount: tax,
          AccountCode: '200',
          TaxType: 'OUTPUT2',
        },
      ],
      SubTotal: qty * unit,
      TotalTax: tax,
      Total: qty * unit + tax,
      AmountDue: status === 'PAID' ? 0 : qty * unit + tax,
      CurrencyCode: 'NZD',
      CurrencyRate: 1,
      UpdatedDateUTC: md(day),
    });
    const tbRow = (name: string, debit: string, credit: string) => ({
      RowType: 'Row',
      Cells: [{ Value: name }, { Value: '' }, { Value: '' }, { Value: debit }, { Value: credit }],
    });
    const dataset = {
      JournalsRefused: true,
      Organisation: {
        Name: 'Coherent Org',
        BaseCurrency: 'NZD',
        FinancialYearEndDay: 31,
        FinancialYearEndMonth: 3,
      },
      Accounts: [
        { AccountID: 'acc-090', Code: '090', Name: 'Operating', Type: 'BANK', CurrencyCode: 'NZD' },
        {
          AccountID: 'acc-610',
          Code: '610',
          Name: 'Accounts Receivable',
          Type: 'CURRENT',
          SystemAccount: 'DEBTORS',
        },
        { AccountID: 'acc-200', Code: '200', Name: 'Sales', Type: 'REVENUE' },
        { AccountID: 'acc-820', Code: '820', Name: 'GST', Type: 'CURRLIAB', SystemAccount: 'GST' },
      ],
      Contacts: [{ ...contact, ContactStatus: 'ACTIVE', UpdatedDateUTC: md('2026-11-01') }],
      Invoices: [
        inv('inv-a', '2026-11-05', 'AUTHORISED', 10, 100, 150),
        inv('inv-b', '2026-11-10', 'PAID', 1, 500, 75),
      ],
      CreditNotes: [
        {
          CreditNoteID: 'cn-1',
          CreditNoteNumber: 'CN-1',
          Type: 'ACCRECCREDIT',
          Contact: contact,
          Date: md('2026-11-25'),
          Status: 'AUTHORISED',
          LineAmountTypes: 'Exclusive',
          LineItems: [
            {
              Description: 'Goodwill',
              Quantity: 1,
              UnitAmount: 100,
              LineAmount: 100,
              TaxAmount: 15,
              AccountCode: '200',
            },
          ],
          SubTotal: 100,
          TotalTax: 15,
          Total: 115,
          RemainingCredit: 115,
          CurrencyCode: 'NZD',
          CurrencyRate: 1,
          UpdatedDateUTC: md('2026-11-25'),
        },
      ],
      Payments: [
        {
          PaymentID: 'pay-b',
          Date: md('2026-11-20'),
          Amount: 575,
          PaymentType: 'ACCRECPAYMENT',
          Status: 'AUTHORISED',
          Account: { AccountID: 'acc-090', Code: '090' },
          Invoice: { InvoiceID: 'inv-b', Type: 'ACCREC', CurrencyCode: 'NZD', Contact: contact },
          UpdatedDateUTC: md('2026-11-20'),
        },
      ],
      BankTransactions: [
        {
          BankTransactionID: 'bt-1',
          Type: 'RECEIVE',
          BankAccount: { AccountID: 'acc-090', Code: '090' },
          Contact: contact,
          Date: md('2026-11-28'),
          Status: 'AUTHORISED',
          LineAmountTypes: 'Exclusive',
          LineItems: [
            {
              Description: 'Cash sale',
              Quantity: 1,
              UnitAmount: 200,
              LineAmount: 200,
              TaxAmount: 30,
              AccountCode: '200',
            },
          ],
          SubTotal: 200,
          TotalTax: 30,
          Total: 230,
          CurrencyCode: 'NZD',
          UpdatedDateUTC: md('2026-11-28'),
        },
      ],
      ManualJournals: [
        {
          ManualJournalID: 'mj-1',
          Date: md('2026-11-29'),
          Status: 'POSTED',
          Narration: 'Reclass',
          JournalLines: [
            { LineAmount: 50, AccountCode: '200', Description: 'Reclass' },
            { LineAmount: -50, AccountCode: '090', Description: 'Reclass' },
          ],
          UpdatedDateUTC: md('2026-11-29'),
        },
      ],
      TrialBalance: {
        '2026-11-30': {
          ReportName: 'Trial Balance',
          Rows: [
            {
              RowType: 'Header',
              Cells: [
                { Value: 'Account' },
                { Value: 'Debit' },
                { Value: 'Credit' },
                { Value: 'YTD Debit' },
                { Value: 'YTD Credit' },
              ],
            },
            { RowType: 'Section', Title: 'Revenue', Rows: [tbRow('Sales (200)', '', '1,550.00')] },
            {
              RowType: 'Section',
              Title: 'Assets',
              Rows: [
                tbRow('Operating (090)', '755.00', ''),
                tbRow('Accounts Receivable (610)', '1,035.00', ''),
              ],
            },
            { RowType: 'Section', Title: 'Liabilities', Rows: [tbRow('GST (820)', '', '240.00')] },
          ],
        },
      },
    };
    h.serve(dataset);
    const out = await syncXeroConnection(h.deps, h.connectionId, { periodEnds: ['2026-11-30'] });
    expect(out.status).toBe('done');
    if (out.status !== 'done') return;
    expect(out.report.status).toBe('succeeded');
    expect(out.gl?.checks).toEqual([{ asOf: '2026-11-30', ok: true, differences: [] }]);
    const byCode = await h.database.db
      .select({ code: glPostings.accountCode, total: sql<string>`sum(${glPostings.amountMinor})::text` })
      .from(glPostings)
      .where(and(eq(glPostings.connectionId, h.connectionId), eq(glPostings.derived, true)))
      .groupBy(glPostings.accountCode)
      .orderBy(glPostings.accountCode);
    expect(byCode).toEqual([
      { code: '090', total: '75500' },
      { code: '200', total: '-155000' },
      { code: '610', total: '103500' },
      { code: '820', total: '-24000' },
    ]);
    const [conn] = await h.database.db.select().from(connections).where(eq(connections.id, h.connectionId));
    expect(conn).toMatchObject({ glSource: 'derived', status: 'active' });
    const reauth = await h.database.db
      .select()
      .from(exceptions)
      .where(eq(exceptions.kind, 'connection_needs_reauth'));
    expect(reauth).toEqual([]);

    // a trial balance that disagrees is an exception naming the account
    (dataset.TrialBalance['2026-11-30'].Rows[1] as { Rows: unknown[] }).Rows = [
      {
        RowType: 'Row',
        Cells: [{ Value: 'Sales (200)' }, { Value: '' }, { Value: '' }, { Value: '' }, { Value: '1,600.00' }],
      },
    ];
    const again = await syncXeroConnection(h.deps, h.connectionId, { periodEnds: ['2026-11-30'] });
    expect(again.status === 'done' && again.gl?.checks[0]?.differences).toEqual([
      { accountCode: '200', name: 'Sales (200)', trialBalanceMinor: -160000, derivedMinor: -155000 },
    ]);
    const mism = await h.database.db.select().from(exceptions).where(eq(exceptions.kind, 'balance_mismatch'));
    expect(mism.map((m) => m.subjectKind)).toContain('trial_balance');
  });
});
