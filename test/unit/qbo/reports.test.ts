import { describe, expect, it } from 'vitest';
import type { MapCtx } from '../../../src/connectors/qbo/map.js';
import {
  glPostings,
  parseReport,
  sectionSum,
  totalsMismatches,
} from '../../../src/connectors/qbo/reports.js';
import { jsonFixture } from '../../support/fixtures.js';

const ctx: MapCtx = {
  homeCurrency: 'USD',
  parents: new Map(),
  accounts: new Map([
    ['35', { type: 'Bank', classification: 'Asset', number: '1000' }],
    ['84', { type: 'Accounts Receivable', classification: 'Asset', number: '1200' }],
    ['85', { type: 'Accounts Receivable', classification: 'Asset', number: '1210' }],
    ['4', { type: 'Other Current Asset', classification: 'Asset', number: null }],
    ['1', { type: 'Income', classification: 'Revenue', number: '4000' }],
  ]),
};
const report = (name: string) => parseReport(jsonFixture(`qbo`, name), 'USD');

describe('QBO reports, parsed generically', () => {
  it('trial balance: columns by ColType/ColTitle, blank as zero, TOTAL equals the sum of the rows', () => {
    const tb = report('coherent-trial-balance.json');
    expect(tb.columns.map((c) => c.key)).toEqual(['Account', 'Debit', 'Credit']);
    const data = tb.rows.filter((r) => r.rowType === 'data');
    expect(data).toHaveLength(5);
    expect(data[0]).toMatchObject({
      label: 'Checking',
      entityExternalId: '35',
      amounts: { Debit: 1248500, Credit: 0 },
      cells: { Credit: '' },
    });
    const total = tb.rows.find((r) => r.rowType === 'summary')!;
    expect(total).toMatchObject({
      label: 'TOTAL',
      path: ['GrandTotal'],
      amounts: { Debit: 1410000, Credit: 1410000 },
    });
    expect(data.reduce((s, r) => s + (r.amounts.Debit ?? 0), 0)).toBe(1410000);
    expect(data.reduce((s, r) => s + (r.amounts.Credit ?? 0), 0)).toBe(1410000);
    expect(totalsMismatches(tb, ['Debit', 'Credit'])).toEqual([]);
  });

  it('aged receivables: every bucket total equals the sum of its customers', () => {
    const ar = report('coherent-aged-receivables.json');
    expect(ar.periodEnd).toBe('2026-12-31');
    const keys = ['Current', '1 - 30', '31 - 60', '61 - 90', '91 and over', 'Total'];
    expect(ar.columns.map((c) => c.key)).toEqual(['Customer', ...keys]);
    expect(totalsMismatches(ar, keys)).toEqual([]);
    const total = ar.rows.find((r) => r.label === 'TOTAL')!;
    expect(total.amounts).toEqual({
      Current: 0,
      '1 - 30': 40000,
      '31 - 60': 120000,
      '61 - 90': 0,
      '91 and over': 91000,
      Total: 251000,
    });
    for (const r of ar.rows.filter((x) => x.rowType === 'data'))
      expect(keys.slice(0, 5).reduce((s, k) => s + (r.amounts[k] ?? 0), 0)).toBe(r.amounts.Total);
  });

  it('general ledger: sections recursed, each "Total for" equals its rows, sub-accounts included', () => {
    const gl = report('coherent-general-ledger.json');
    expect(totalsMismatches(gl, ['subt_nat_amount'])).toEqual([]);
    const ar = gl.root.sections.find((s) => s.id === '84')!;
    expect(sectionSum(ar, 'subt_nat_amount')).toBe(160000);
    expect(ar.summary?.amounts.subt_nat_amount).toBe(160000);
    const sub = ar.sections[0]!;
    expect(sub.rows[0]).toMatchObject({
      path: ['Accounts Receivable (A/R)', 'Trust retainers receivable'],
      pathIds: ['84', '85'],
      txnType: 'Invoice',
      txnExternalId: '1003',
      date: '2026-11-15',
    });
    // a Beginning Balance row carries no transaction and a blank amount (zero)
    expect(gl.rows[0]).toMatchObject({
      label: 'Beginning Balance',
      txnType: null,
      amounts: { subt_nat_amount: 0, rbal_nat_amount: 1000000 },
    });
  });

  it('finds the shape-only sample whose totals do not add up', () => {
    const tb = report('report-trial-balance.json');
    expect(totalsMismatches(tb, ['Debit', 'Credit']).map((m) => m.key)).toEqual(['Debit', 'Credit']);
  });

  it('turns GL rows into debit-positive postings, leaving journal entries to the JournalEntry pull', () => {
    const gl = report('coherent-general-ledger.json');
    const postings = glPostings(gl, ctx).map(
      (r) =>
        r.data as {
          externalId: string;
          amountMinor: number;
          accountExternalId: string | null;
          sourceType: string | null;
        },
    );
    expect(postings.map((p) => [p.externalId, p.amountMinor])).toEqual([
      ['gl:35:deposit:3001:1', 250000],
      ['gl:84:invoice:1001:1', 250000],
      ['gl:84:invoice:1002:1', 120000],
      ['gl:84:payment:2001:1', -250000],
      ['gl:85:invoice:1003:1', 40000],
      ['gl:4:payment:2001:1', 250000],
      ['gl:4:deposit:3001:1', -250000],
      ['gl:1:invoice:1001:1', -250000],
      ['gl:1:invoice:1002:1', -120000],
      ['gl:1:invoice:1003:1', -40000],
    ]);
    // the postings balance: every transaction's debits equal its credits
    expect(postings.reduce((s, p) => s + p.amountMinor, 0)).toBe(0);
  });

  it('refuses a money cell that is not an amount, naming the row and column', () => {
    const bad = jsonFixture<Record<string, { Row: { ColData: { value: string }[] }[] }>>(
      'qbo',
      'coherent-trial-balance.json',
    );
    bad.Rows!.Row[0]!.ColData[1]!.value = '12,34.5x';
    expect(() => parseReport(bad, 'USD')).toThrow(
      /TrialBalance row 0 column Debit: "12,34.5x" is not an amount/,
    );
  });
});
