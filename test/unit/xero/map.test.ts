import { describe, expect, it } from 'vitest';
import type { CanonicalRecord } from '../../../src/connectors/connector.js';
import { mapXeroPage, mapXeroRecord } from '../../../src/connectors/xero/map.js';
import { jsonFixture } from '../../support/fixtures.js';

type List = Record<string, unknown[]>;
const list = (file: string, key: string): Record<string, unknown>[] =>
  jsonFixture<List>('xero', file)[key] as Record<string, unknown>[];
const opts = { baseCurrency: 'NZD' };

function one(kind: Parameters<typeof mapXeroRecord>[0], raw: unknown): CanonicalRecord {
  const r = mapXeroRecord(kind, raw, opts);
  if (!r.ok) throw new Error(`${r.error.field}: ${r.error.message}`);
  if (!r.value) throw new Error('skipped');
  return r.value;
}

describe('Xero invoices', () => {
  it('maps a paid ACCREC invoice exactly and carries no applications', () => {
    const rec = one('invoices', list('invoices-list.response.json', 'Invoices')[1]);
    expect(rec).toMatchObject({ kind: 'invoice', applications: [] });
    expect(rec.data).toEqual({
      externalId: '046d8a6d-1ae1-4b4d-9340-5601bdf41b87',
      number: 'INV-0002',
      reference: 'Red Fish, Blue Fish',
      contactExternalId: 'a3675fc4-f8dd-4f03-ba5b-f1870566bcd7',
      matterExternalId: null,
      status: 'paid',
      issueDate: '2018-10-20',
      dueDate: '2018-12-30',
      currency: 'NZD',
      taxMode: 'exclusive',
      subtotalMinor: 4000,
      taxMinor: 600,
      totalMinor: 4600,
      currencyRate: '1',
      baseTotalMinor: 4600,
      providerAmountDueMinor: 0,
      lines: [],
    });
  });

  it('maps line items with exact decimals and the voided status', () => {
    const single = list('invoice-single.response.json', 'Invoices')[0];
    const rec = one('invoices', single);
    if (rec.kind !== 'invoice') throw new Error('kind');
    expect(rec.data.totalMinor).toBe(14806276);
    expect(rec.data.lines).toEqual([
      {
        externalId: 'b18f39d9-7739-4246-9288-72afe939d2d5',
        description: 'Guitars Fender Strat',
        quantity: '1',
        unitAmount: '148062.76',
        amountMinor: 14806276,
        taxMinor: 0,
        accountCode: '200',
        taxType: 'NONE',
        itemCode: '123',
      },
    ]);
    expect(one('invoices', list('invoices-list.response.json', 'Invoices')[0]).data).toMatchObject({
      status: 'voided',
    });
  });

  it('turns 1141.39 into exactly 114139 minor units', () => {
    const raw = {
      ...list('invoices-list.response.json', 'Invoices')[2],
      Total: 1141.39,
      SubTotal: '1141.39',
    };
    expect(one('invoices', raw).data).toMatchObject({ totalMinor: 114139, subtotalMinor: 114139 });
  });

  it('converts a foreign-currency invoice with Xero’s rate (document units per base unit)', () => {
    const raw = {
      ...list('invoices-list.response.json', 'Invoices')[2],
      CurrencyCode: 'USD',
      CurrencyRate: 0.5,
    };
    expect(one('invoices', raw).data).toMatchObject({
      currency: 'USD',
      currencyRate: '2',
      baseTotalMinor: 23000,
    });
  });

  it('skips bills (ACCPAY) without an error', () => {
    const raw = { ...list('invoices-list.response.json', 'Invoices')[2], Type: 'ACCPAY' };
    expect(mapXeroRecord('invoices', raw, opts)).toEqual({ ok: true, value: null });
  });

  it('reports a malformed record by id and field, and maps the rest of the page', () => {
    const [a, b, c] = list('invoices-list.response.json', 'Invoices');
    const noTotal = { ...b };
    delete noTotal.Total;
    const badAmount = { ...c, SubTotal: 'abc' };
    const page = mapXeroPage('invoices', [a, noTotal, badAmount], opts);
    expect(page.records.map((r) => r.data.externalId)).toEqual(['d4956132-ed94-4dd7-9eaa-aa22dfdf06f2']);
    expect(page.errors.map(({ raw: _raw, ...e }) => e)).toEqual([
      {
        entity: 'invoices',
        externalId: '046d8a6d-1ae1-4b4d-9340-5601bdf41b87',
        field: 'Total',
        message: 'required',
      },
      {
        entity: 'invoices',
        externalId: '7ef31b20-de17-4312-8382-412f869b1510',
        field: 'SubTotal',
        message: expect.stringMatching(/number/),
      },
    ]);
  });

  it('names a bad line field with its position', () => {
    const single = structuredClone(list('invoice-single.response.json', 'Invoices')[0]) as {
      LineItems: Record<string, unknown>[];
    };
    single.LineItems[0]!.LineAmount = 'twelve';
    const r = mapXeroRecord('invoices', single, opts);
    expect(r.ok ? null : r.error.field).toBe('LineItems.0.LineAmount');
  });
});

describe('Xero payments', () => {
  const payments = list('payments-list.response.json', 'Payments');
  const refunds = list('payments-refunds-and-reversals.response.json', 'Payments');

  it('owns a payment:<PaymentID> application to the invoice it pays', () => {
    const rec = one('payments', payments[0]);
    expect(rec.data).toMatchObject({
      externalId: '99ea7f6b-c513-4066-bc27-b7c65dcd76c2',
      kind: 'invoice_payment',
      status: 'authorised',
      date: '2018-11-29',
      amountMinor: 4600,
      currency: 'NZD',
      invoiceExternalId: '046d8a6d-1ae1-4b4d-9340-5601bdf41b87',
      bankLedgerAccountExternalId: '5690f1e8-1d02-4893-90c2-ee1a69eff942',
      contactExternalId: 'a3675fc4-f8dd-4f03-ba5b-f1870566bcd7',
    });
    expect(rec.kind === 'payment' && rec.applications).toEqual([
      {
        key: 'payment:99ea7f6b-c513-4066-bc27-b7c65dcd76c2',
        source: 'payment',
        sourceExternalId: '99ea7f6b-c513-4066-bc27-b7c65dcd76c2',
        invoiceExternalId: '046d8a6d-1ae1-4b4d-9340-5601bdf41b87',
        date: '2018-11-29',
        amountMinor: 4600,
        currency: 'NZD',
        status: 'active',
      },
    ]);
  });

  it('reads ARCREDITPAYMENT as a credit-note refund, not an invoice payment', () => {
    const rec = one('payments', payments[1]);
    expect(rec.data).toMatchObject({
      kind: 'credit_note_refund',
      invoiceExternalId: null,
      creditNoteExternalId: '249f15fa-f2a7-4acc-8769-0984103f2225',
      amountMinor: 200,
    });
    expect(rec.kind === 'payment' && rec.applications).toEqual([]);
  });

  it('points AROVERPAYMENTPAYMENT and ARPREPAYMENTPAYMENT at the overpayment/prepayment, with no invoice application', () => {
    const over = one('payments', refunds[0]);
    expect(over.data).toMatchObject({
      kind: 'overpayment_refund',
      invoiceExternalId: null,
      prepaymentExternalId: '2a8bda49-8908-473b-8bcf-1f90990460eb',
      amountMinor: 2000,
    });
    const pre = one('payments', refunds[1]);
    expect(pre.data).toMatchObject({
      kind: 'prepayment_refund',
      invoiceExternalId: null,
      prepaymentExternalId: 'ce0cddef-cf5a-4e59-b638-f225679115a7',
      isReconciled: true,
    });
    expect([over, pre].map((r) => (r.kind === 'payment' ? r.applications.length : -1))).toEqual([0, 0]);
  });

  it('reverses the application of a DELETED payment (1141.39 exact, dated in its +13:00 offset)', () => {
    const rec = one('payments', refunds[2]);
    expect(rec.data).toMatchObject({ status: 'deleted', amountMinor: 114139, date: '2014-12-31' });
    expect(rec.kind === 'payment' && rec.applications).toEqual([
      expect.objectContaining({
        key: 'payment:0f1c6a0e-6d0a-4c57-9a0e-8f1b7f6a2b03',
        invoiceExternalId: '7ef31b20-de17-4312-8382-412f869b1510',
        amountMinor: 114139,
        status: 'reversed',
      }),
    ]);
  });

  it('reports an unknown payment type naming PaymentType', () => {
    const r = mapXeroRecord('payments', { ...payments[0], PaymentType: 'WEIRD' }, opts);
    expect(r.ok ? null : [r.error.externalId, r.error.field]).toEqual([
      '99ea7f6b-c513-4066-bc27-b7c65dcd76c2',
      'PaymentType',
    ]);
  });
});

describe('Xero credit notes, overpayments, prepayments', () => {
  it('maps a customer credit note with its allocations and skips supplier credit notes', () => {
    const [cn, supplier] = list('credit-notes-list.response.json', 'CreditNotes');
    const withAlloc = {
      ...cn,
      Allocations: [
        {
          AllocationID: 'b12335f4-a1e5-4431-aeb4-488e5547558e',
          Amount: 32.5,
          Date: '/Date(1551744000000+0000)/',
          Invoice: { InvoiceID: '7ef31b20-de17-4312-8382-412f869b1510' },
        },
      ],
    };
    const rec = one('credit_notes', withAlloc);
    expect(rec.data).toMatchObject({
      externalId: '249f15fa-f2a7-4acc-8769-0984103f2225',
      number: 'CN-0005',
      totalMinor: 3450,
      providerRemainingMinor: 3250,
      issueDate: '2019-03-05',
    });
    expect(rec.kind === 'credit_note' && rec.applications).toEqual([
      {
        key: 'credit_note:249f15fa-f2a7-4acc-8769-0984103f2225:b12335f4-a1e5-4431-aeb4-488e5547558e',
        source: 'credit_note',
        sourceExternalId: '249f15fa-f2a7-4acc-8769-0984103f2225',
        invoiceExternalId: '7ef31b20-de17-4312-8382-412f869b1510',
        date: '2019-03-05',
        amountMinor: 3250,
        currency: 'NZD',
        status: 'active',
      },
    ]);
    expect(mapXeroRecord('credit_notes', supplier, opts)).toEqual({ ok: true, value: null });
  });

  it('maps received overpayments with their allocations, and spent ones without', () => {
    const ops = list('overpayments-list.response.json', 'Overpayments');
    const received = {
      ...ops[1],
      Allocations: [{ Amount: 5, Date: '/Date(1552435200000+0000)/', Invoice: { InvoiceID: 'inv-1' } }],
    };
    const rec = one('overpayments', received);
    expect(rec.data).toMatchObject({
      kind: 'overpayment',
      direction: 'receive',
      totalMinor: 2000,
      date: '2019-03-13',
    });
    expect(rec.kind === 'prepayment' && rec.applications).toEqual([
      expect.objectContaining({
        key: 'overpayment:2a8bda49-8908-473b-8bcf-1f90990460eb:inv-1:0',
        source: 'overpayment',
        amountMinor: 500,
      }),
    ]);
    expect(one('overpayments', ops[0]).data).toMatchObject({ direction: 'spend', totalMinor: 50000 });
  });

  it('maps a prepayment', () => {
    const rec = one('prepayments', list('prepayments-list.response.json', 'Prepayments')[0]);
    expect(rec.data).toEqual({
      externalId: 'ce0cddef-cf5a-4e59-b638-f225679115a7',
      kind: 'prepayment',
      contactExternalId: 'be392c72-c121-4f83-9512-03ac71e54c20',
      status: 'authorised',
      date: '2019-03-13',
      currency: 'NZD',
      totalMinor: 345000,
      providerRemainingMinor: 345000,
      bankLedgerAccountExternalId: null,
      reference: 'INV-0011',
      direction: 'receive',
    });
  });
});

describe('Xero bank transactions, contacts, accounts', () => {
  it('marks a bank transaction carrying a PrepaymentID/OverpaymentID as that same money', () => {
    const [receive, spendOver] = list('bank-transactions-list.response.json', 'BankTransactions');
    expect(one('bank_transactions', receive).data).toEqual({
      externalId: 'db54aab0-ad40-4ced-bcff-0940ba20db2c',
      type: 'receive',
      status: 'authorised',
      date: '2016-10-13',
      amountMinor: 1000,
      currency: 'USD',
      reference: null,
      contactExternalId: '9c2c64de-12c9-4167-b503-e2c0e1aa1f49',
      bankLedgerAccountExternalId: '6f7594f2-f059-4d56-9e67-47ac9733bfe9',
      isReconciled: false,
      prepaymentExternalId: 'cb62750f-b49c-464b-a45b-e2e2c514c8a9',
      lineAccountCodes: [],
    });
    expect(one('bank_transactions', spendOver).data).toMatchObject({
      type: 'spend_overpayment',
      amountMinor: -900,
      prepaymentExternalId: '7d457db3-3b0a-47e9-8b79-81252a7bcdcb',
    });
  });

  it('maps contacts and accounts', () => {
    const c = one('contacts', list('contacts-list.response.json', 'Contacts')[0]);
    expect(c.data).toMatchObject({
      externalId: '5cc8cf28-567e-4d43-b287-687cfcaec47c',
      name: 'Katherine Warren',
      email: 'kat.warren@clampett.com',
      status: 'active',
    });
    const [bank, sales] = list('accounts-list.response.json', 'Accounts');
    expect(one('accounts', bank).data).toEqual({
      externalId: 'ebd06280-af70-4bed-97c6-7451a454ad85',
      code: '091',
      name: 'Business Savings Account',
      type: 'bank',
      class: 'asset',
      status: 'active',
      isBank: true,
      bankAccountNumber: '0209087654321050',
      currency: 'NZD',
      isReceivable: false,
    });
    expect(one('accounts', sales).data).toMatchObject({ type: 'revenue', class: 'revenue', isBank: false });
  });
});
