import { describe, expect, it } from 'vitest';
import {
  type MapCtx,
  mapCreditMemo,
  mapCustomer,
  mapInvoice,
  mapItem,
  mapPayment,
  mapPurchase,
  mapTransfer,
} from '../../../src/connectors/qbo/map.js';
import {
  QCreditMemo,
  QCustomer,
  QInvoice,
  QItem,
  QPayment,
  QPurchase,
  QTransfer,
} from '../../../src/connectors/qbo/wire.js';
import { jsonFixture } from '../../support/fixtures.js';

type Obj = Record<string, unknown>;
const ctx = (parents: [string, string][] = []): MapCtx => ({
  homeCurrency: 'USD',
  parents: new Map(parents),
  accounts: new Map(),
});

describe('QBO mappers', () => {
  it('maps an invoice with 8% tax, lines and Balance exactly', () => {
    const x = QInvoice.parse(
      jsonFixture<{ Invoice: Obj }>('qbo', 'invoice-with-tax-and-linked-estimate.json').Invoice,
    );
    const r = mapInvoice(x, ctx());
    expect(r.kind).toBe('invoice');
    expect(r.data).toMatchObject({
      externalId: '130',
      number: '1037',
      contactExternalId: '24',
      matterExternalId: '39298045',
      status: 'authorised',
      issueDate: '2014-09-19',
      dueDate: '2014-10-19',
      currency: 'USD',
      taxMode: 'exclusive',
      subtotalMinor: 33525,
      taxMinor: 2682,
      totalMinor: 36207,
      currencyRate: '1',
      baseTotalMinor: 36207,
      providerAmountDueMinor: 36207,
    });
    const lines = (r.data as { lines: Obj[] }).lines;
    expect(lines.map((l) => [l.itemCode, l.quantity, l.unitAmount, l.amountMinor, l.taxType])).toEqual([
      ['5', '1', '275', 27500, 'TAX'],
      ['11', '1', '12.75', 1275, 'TAX'],
      ['3', '5', '9.5', 4750, 'TAX'],
    ]);
  });

  it('applies a credit memo through a payment: the invoice gets a credit_note application keyed by the payment', () => {
    const raw = {
      ...jsonFixture<Obj>('qbo', 'payment-full-update-request-invoice-plus-creditmemo.json'),
      TxnDate: '2013-03-13',
      TotalAmt: 0,
    };
    const r = mapPayment(QPayment.parse(raw), ctx());
    expect(r.kind === 'payment' && r.applications).toEqual([
      {
        key: 'qbo:payment:69:67:credit:68',
        source: 'credit_note',
        sourceExternalId: '69',
        invoiceExternalId: '67',
        amountMinor: 30000,
        date: '2013-03-13',
        currency: 'USD',
        status: 'active',
      },
    ]);
    expect(r.data).toMatchObject({
      amountMinor: 0,
      status: 'authorised',
      invoiceExternalId: '67',
      creditNoteExternalId: '68',
      reference: '123456',
    });
  });

  it('splits cash and credit when a payment pays two invoices with one credit memo', () => {
    const raw = {
      Id: '90',
      TxnDate: '2026-11-20',
      TotalAmt: 250,
      CustomerRef: { value: '16' },
      Line: [
        { Amount: 200, LinkedTxn: [{ TxnId: '1', TxnType: 'Invoice' }] },
        { Amount: 100, LinkedTxn: [{ TxnId: '2', TxnType: 'Invoice' }] },
        { Amount: 50, LinkedTxn: [{ TxnId: '7', TxnType: 'CreditMemo' }] },
      ],
    };
    const r = mapPayment(QPayment.parse(raw), ctx());
    const apps =
      r.kind === 'payment' ? r.applications.map((a) => [a.source, a.invoiceExternalId, a.amountMinor]) : [];
    expect(apps).toEqual([
      ['credit_note', '1', 5000],
      ['payment', '1', 15000],
      ['payment', '2', 10000],
    ]);
    // cash applied equals the payment amount
    expect(apps.filter((a) => a[0] === 'payment').reduce((s, a) => s + Number(a[2]), 0)).toBe(25000);
  });

  it('maps a voided payment with reversed, empty applications', () => {
    const r = mapPayment(
      QPayment.parse(jsonFixture<{ Payment: Obj }>('qbo', 'payment-void-response.json').Payment),
      ctx(),
    );
    expect(r.data).toMatchObject({ status: 'voided', amountMinor: 0 });
  });

  it('maps a sub-customer as a contact with its parent and a matter of the top-level customer', () => {
    const out = mapCustomer(
      QCustomer.parse({
        Id: '25',
        DisplayName: 'Lease dispute',
        Job: true,
        ParentRef: { value: '24' },
        Active: true,
      }),
      ctx([
        ['25', '21'],
        ['24', '21'],
      ]),
    );
    expect(out.map((r) => [r.kind, r.data])).toEqual([
      [
        'contact',
        {
          externalId: '25',
          name: 'Lease dispute',
          email: null,
          accountNumber: null,
          taxNumber: null,
          isCustomer: true,
          status: 'active',
          parentExternalId: '24',
        },
      ],
      [
        'matter',
        { externalId: '25', contactExternalId: '21', name: 'Lease dispute', status: 'open', estimate: null },
      ],
    ]);
    // an invoice of the sub-customer belongs to the top-level contact and the matter
    const inv = mapInvoice(
      QInvoice.parse({ Id: '1', TxnDate: '2026-11-01', CustomerRef: { value: '25' }, TotalAmt: 1, Line: [] }),
      ctx([['25', '21']]),
    );
    expect(inv.data).toMatchObject({ contactExternalId: '21', matterExternalId: '25' });
  });

  it('maps a credit memo with its remaining credit', () => {
    const r = mapCreditMemo(
      QCreditMemo.parse(jsonFixture<{ CreditMemo: Obj }>('qbo', 'creditmemo.json').CreditMemo),
      ctx(),
    );
    expect(r.data).toMatchObject({
      externalId: expect.any(String),
      number: '1026',
      totalMinor: 10000,
      providerRemainingMinor: 0,
      status: 'paid',
      contactExternalId: '1',
    });
  });

  it('maps a foreign-currency invoice with its exchange rate and home-currency total', () => {
    const inv = mapInvoice(
      QInvoice.parse({
        Id: '3',
        TxnDate: '2026-11-01',
        CustomerRef: { value: '9' },
        CurrencyRef: { value: 'EUR' },
        ExchangeRate: 1.0825,
        TotalAmt: 1000,
        HomeTotalAmt: 1082.5,
        Line: [],
      }),
      ctx(),
    );
    expect(inv.data).toMatchObject({
      currency: 'EUR',
      currencyRate: '1.0825',
      totalMinor: 100000,
      baseTotalMinor: 108250,
    });
  });

  it('keeps Purchases and Transfers that touch a bank or A/R account, as signed bank transactions', () => {
    const c: MapCtx = {
      homeCurrency: 'USD',
      parents: new Map(),
      accounts: new Map([
        ['35', { type: 'Bank', classification: 'Asset', number: null }],
        ['36', { type: 'Bank', classification: 'Asset', number: null }],
        ['41', { type: 'Credit Card', classification: 'Liability', number: null }],
        ['84', { type: 'Accounts Receivable', classification: 'Asset', number: null }],
        ['60', { type: 'Expense', classification: 'Expense', number: null }],
      ]),
    };
    const line = (acct: string, amt: number) => ({
      Amount: amt,
      DetailType: 'AccountBasedExpenseLineDetail',
      AccountBasedExpenseLineDetail: { AccountRef: { value: acct } },
    });
    const check = mapPurchase(
      QPurchase.parse({
        Id: '7',
        TxnDate: '2026-11-03',
        PaymentType: 'Check',
        AccountRef: { value: '35' },
        TotalAmt: 15.5,
        Line: [line('60', 15.5)],
      }),
      c,
    );
    expect(check.map((r) => r.data)).toEqual([
      expect.objectContaining({
        externalId: 'purchase:7',
        type: 'spend',
        amountMinor: -1550,
        bankLedgerAccountExternalId: '35',
        lineAccountCodes: ['60'],
      }),
    ]);
    // a card purchase of an expense touches neither bank nor A/R
    expect(
      mapPurchase(
        QPurchase.parse({
          Id: '8',
          TxnDate: '2026-11-03',
          PaymentType: 'CreditCard',
          AccountRef: { value: '41' },
          TotalAmt: 20,
          Line: [line('60', 20)],
        }),
        c,
      ),
    ).toEqual([]);
    // a card refund to a customer (coded to A/R) does
    expect(
      mapPurchase(
        QPurchase.parse({
          Id: '9',
          TxnDate: '2026-11-03',
          PaymentType: 'CreditCard',
          AccountRef: { value: '41' },
          TotalAmt: 20,
          Line: [line('84', 20)],
        }),
        c,
      ),
    ).toHaveLength(1);
    const t = mapTransfer(
      QTransfer.parse({
        Id: '5',
        TxnDate: '2026-11-04',
        FromAccountRef: { value: '36' },
        ToAccountRef: { value: '35' },
        Amount: 1200,
      }),
      c,
    );
    expect(t.map((r) => [r.data.externalId, (r.data as { amountMinor: number }).amountMinor])).toEqual([
      ['transfer:5:out', -120000],
      ['transfer:5:in', 120000],
    ]);
  });

  it('maps an Item with its exact unit price', () => {
    const raw = jsonFixture<{ Item: Record<string, unknown> }>('qbo', 'item.json').Item;
    const r = mapItem(QItem.parse(raw));
    expect(r.data).toMatchObject({
      externalId: raw.Id,
      name: raw.Name,
      type: String(raw.Type).toLowerCase(),
      status: 'active',
    });
    expect((r.data as { unitPrice: string | null }).unitPrice).toBe(String(raw.UnitPrice));
  });
});
