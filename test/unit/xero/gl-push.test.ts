import { describe, expect, it } from 'vitest';
import { mapJournal, mapManualJournal, parseTrialBalance } from '../../../src/connectors/xero/gl.js';
import {
  elementOutcomes,
  idempotencyKey,
  insideLockDate,
  invoicePayload,
  lockDateOf,
} from '../../../src/connectors/xero/push.js';
import { jsonFixture } from '../../support/fixtures.js';

describe('Xero journals and reports', () => {
  it('maps a journal line by line, keeping the source document', () => {
    const [j] = jsonFixture<{ Journals: unknown[] }>('xero', 'journals-list.response.json').Journals;
    const r = mapJournal(j, 'NZD');
    expect(r.ok && r.value.map((p) => p.data)).toEqual([
      {
        externalId: '81e6b1bf-d812-4f87-8dc4-698558ae043e',
        journalExternalId: '1b31feeb-aa23-404c-8c19-24c827c53661',
        journalNumber: 1,
        date: '2018-10-20',
        accountExternalId: 'b94495d0-44ab-4199-a1d0-427a4877e100',
        accountCode: '610',
        amountMinor: 4000,
        currency: 'NZD',
        sourceType: 'ACCREC',
        sourceExternalId: 'd4956132-ed94-4dd7-9eaa-aa22dfdf06f2',
        description: 'Red Fish, Blue Fish',
        derived: false,
      },
      expect.objectContaining({ accountCode: '200', amountMinor: -4000, description: 'Acme Tires' }),
    ]);
  });

  it('names the field of a malformed journal', () => {
    const r = mapJournal({ JournalID: 'j-x', JournalNumber: 'seven', JournalDate: '/Date(0+0000)/' }, 'NZD');
    expect(r.ok ? null : [r.error.externalId, r.error.field]).toEqual(['j-x', 'JournalNumber']);
  });

  it('withdraws the lines of a manual journal that is no longer posted', () => {
    const mj = {
      ManualJournalID: 'mj-1',
      Date: '/Date(1553126400000+0000)/',
      Status: 'VOIDED',
      JournalLines: [
        { LineAmount: 10, AccountCode: '200' },
        { LineAmount: -10, AccountCode: '090' },
      ],
    };
    const r = mapManualJournal(mj, 'NZD');
    expect(r.ok && r.value.map((x) => [x.kind, x.data.externalId])).toEqual([
      ['deletion', 'mj:mj-1:0'],
      ['deletion', 'mj:mj-1:1'],
    ]);
  });

  it('reads YTD balances from the trial balance report shape', () => {
    const tb = parseTrialBalance(jsonFixture('xero', 'report-trial-balance.response.json'), 'USD');
    expect(tb[0]).toEqual({
      accountId: 'da962997-a8bd-4dff-9616-01cdc199283f',
      accountCode: '002',
      name: 'Big Expense (002)',
      balanceMinor: -8000,
    });
  });
});

describe('Xero push builders', () => {
  it('derives a stable idempotency key from our record', () => {
    const k = idempotencyKey('conn-1', 'invoice.create', 'invoice:42');
    expect(k).toBe(idempotencyKey('conn-1', 'invoice.create', 'invoice:42'));
    expect(k).not.toBe(idempotencyKey('conn-1', 'invoice.create', 'invoice:43'));
    expect(k).toMatch(/^lb-[0-9a-f]{40}$/);
  });

  it('sends 4-decimal unit amounts and Xero’s rate direction (document units per base unit)', () => {
    const p = invoicePayload(
      {
        id: '1',
        contactExternalId: 'c',
        issueDate: '2026-11-01',
        dueDate: null,
        currency: 'USD',
        currencyRate: '1.6',
        taxMode: 'exclusive',
        number: null,
        reference: null,
        status: 'DRAFT',
        lines: [
          {
            description: 'x',
            quantity: '0.25',
            unitAmount: '123.4567',
            accountCode: '200',
            taxType: 'OUTPUT2',
          },
        ],
      },
      'NZD',
    ) as unknown as Record<string, unknown>;
    expect(p).toMatchObject({
      type: 'ACCREC',
      currencyRate: 0.625,
      lineAmountTypes: 'Exclusive',
      lineItems: [{ quantity: 0.25, unitAmount: 123.4567, accountCode: '200', taxType: 'OUTPUT2' }],
    });
  });

  it('takes the later of the period and end-of-year lock dates', () => {
    const lock = lockDateOf({
      PeriodLockDate: '/Date(1761868800000+0000)/',
      EndOfYearLockDate: '/Date(1743379200000+0000)/',
    });
    expect(lock).toBe('2025-10-31');
    expect(insideLockDate('2025-10-31', lock)).toBe(true);
    expect(insideLockDate('2025-11-01', lock)).toBe(false);
    expect(lockDateOf({})).toBeNull();
  });

  it('reads every element of a summarizeErrors=false answer', () => {
    const res = jsonFixture<{ Payments: unknown[] }>(
      'xero',
      'payments-create.response-with-validation-error.json',
    );
    const out = elementOutcomes(res.Payments, 'PaymentID');
    expect(out[0]).toMatchObject({ index: 0, ok: false, externalId: null });
    expect(out[0]?.messages.length).toBeGreaterThan(0);
  });
});

describe('Xero financial year', () => {
  it('starts the year after the organisation’s financial year end', async () => {
    const { financialYearStart } = await import('../../../src/connectors/xero/gl.js');
    const march = { FinancialYearEndDay: 31, FinancialYearEndMonth: 3 };
    expect(financialYearStart('2026-11-30', march)).toBe('2026-04-01');
    expect(financialYearStart('2026-03-31', march)).toBe('2025-04-01');
    expect(financialYearStart('2026-04-01', march)).toBe('2026-04-01');
    expect(financialYearStart('2026-11-30', { FinancialYearEndDay: 31, FinancialYearEndMonth: 12 })).toBe(
      '2026-01-01',
    );
    expect(financialYearStart('2026-11-30', {})).toBeNull();
  });
});
