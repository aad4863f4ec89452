import type { GlPosting, ReportRow } from '../../canonical/index.js';
import { toMinor } from '../../canonical/index.js';
import type { CanonicalRecord } from '../connector.js';
import type { MapCtx } from './map.js';

/**
 * QBO reports parsed generically: columns by `ColType` (by `ColTitle` where a type repeats, as the
 * trial balance's two Money columns do), rows recursed through sections (`Header` / `Rows` / `Summary`),
 * money read from its text, a blank cell as zero. Each data row and each section summary becomes a
 * canonical report row; general-ledger rows also become GL postings.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface ReportColumn {
  key: string;
  title: string;
  type: string;
  money: boolean;
}

export interface ParsedSection {
  label: string | null;
  id: string | null;
  rows: ReportRow[];
  sections: ParsedSection[];
  summary: ReportRow | null;
}

export interface ParsedReport {
  name: string;
  periodStart: string | null;
  periodEnd: string;
  basis: string | null;
  currency: string;
  columns: ReportColumn[];
  root: ParsedSection;
  rows: ReportRow[];
}

const MONEY_TYPES =
  /^(Money|subt_nat_amount|nat_amount|debt_amt|credit_amt|subt_nat_home_amount|nat_home_amount|rbal_nat_amount|nat_open_bal|amount)$/i;

export function reportColumns(report: Obj): ReportColumn[] {
  const cols = arr(isObj(report.Columns) ? report.Columns.Column : undefined).filter(isObj);
  const types = cols.map((c) => String(c.ColType ?? ''));
  return cols.map((c, i) => {
    const type = String(c.ColType ?? '');
    const title = String(c.ColTitle ?? '');
    const repeated = types.filter((t) => t === type).length > 1;
    const key = !type || repeated ? title || `${type || 'col'}_${i}` : type;
    return { key, title, type, money: MONEY_TYPES.test(type) };
  });
}

function moneyOf(text: string, currency: string, where: string): number {
  const t = text.trim().replace(/,/g, '');
  if (t === '') return 0;
  try {
    return toMinor(t, currency);
  } catch {
    throw new Error(`${where}: "${text}" is not an amount`);
  }
}

export function parseReport(report: Obj, homeCurrency: string): ParsedReport {
  const h = isObj(report.Header) ? report.Header : {};
  const name = String(h.ReportName ?? 'Report');
  const currency = typeof h.Currency === 'string' ? h.Currency : homeCurrency;
  const periodEnd = String(
    h.EndPeriod ??
      arr(h.Option)
        .filter(isObj)
        .find((o) => o.Name === 'report_date')?.Value ??
      '',
  );
  if (!/^\d{4}-\d{2}-\d{2}$/.test(periodEnd)) throw new Error(`${name}: the report has no end period`);
  const periodStart = typeof h.StartPeriod === 'string' ? h.StartPeriod : null;
  const basis = typeof h.ReportBasis === 'string' ? h.ReportBasis : null;
  const columns = reportColumns(report);
  const all: ReportRow[] = [];

  const makeRow = (
    cells: unknown[],
    rowType: ReportRow['rowType'],
    path: string[],
    pathIds: (string | null)[],
  ): ReportRow => {
    const position = all.length;
    const text: Record<string, string> = {};
    const amounts: Record<string, number> = {};
    const first = isObj(cells[0]) ? cells[0] : {};
    let date: string | null = null;
    let txnType: string | null = null;
    let txnId: string | null = null;
    columns.forEach((c, i) => {
      const cell = isObj(cells[i]) ? cells[i] : {};
      const v =
        typeof cell.value === 'string' ? cell.value : cell.value === undefined ? '' : String(cell.value);
      text[c.key] = v;
      if (c.money && i > 0) amounts[c.key] = moneyOf(v, currency, `${name} row ${position} column ${c.key}`);
      if (c.type === 'tx_date' && /^\d{4}-\d{2}-\d{2}$/.test(v)) date = v;
      if (c.type === 'txn_type' && v) {
        txnType = v;
        txnId = typeof cell.id === 'string' && cell.id ? cell.id : null;
      }
    });
    const row: ReportRow = {
      externalId: `${name}:${periodStart ?? ''}:${periodEnd}:${position}`,
      report: name,
      periodStart,
      periodEnd,
      basis,
      currency,
      position,
      rowType,
      path,
      pathIds,
      label: typeof first.value === 'string' && first.value ? first.value : null,
      entityExternalId: typeof first.id === 'string' && first.id ? first.id : null,
      date,
      txnType,
      txnExternalId: txnId,
      cells: text,
      amounts,
    };
    all.push(row);
    return row;
  };

  const walk = (
    rowsObj: unknown,
    label: string | null,
    id: string | null,
    path: string[],
    ids: (string | null)[],
  ): ParsedSection => {
    const section: ParsedSection = { label, id, rows: [], sections: [], summary: null };
    for (const r of arr(isObj(rowsObj) ? rowsObj.Row : undefined).filter(isObj)) {
      const header = isObj(r.Header) ? arr(r.Header.ColData) : null;
      if (r.type === 'Section' || header || r.Rows || r.Summary) {
        const first = header && isObj(header[0]) ? header[0] : {};
        const l =
          typeof first.value === 'string' ? first.value : typeof r.group === 'string' ? r.group : null;
        const i = typeof first.id === 'string' && first.id ? first.id : null;
        const p = l ? [...path, l] : path;
        const pi = l ? [...ids, i] : ids;
        const child = walk(r.Rows, l, i, p, pi);
        if (isObj(r.Summary)) child.summary = makeRow(arr(r.Summary.ColData), 'summary', p, pi);
        section.sections.push(child);
      } else if (Array.isArray(r.ColData)) {
        section.rows.push(makeRow(r.ColData, 'data', path, ids));
      }
    }
    return section;
  };

  const root = walk(report.Rows, null, null, [], []);
  return { name, periodStart, periodEnd, basis, currency, columns, root, rows: all };
}

/** Σ of a money column over a section's data rows and sub-sections (what its summary should say). */
export function sectionSum(s: ParsedSection, key: string): number {
  let t = 0;
  for (const r of s.rows) t += r.amounts[key] ?? 0;
  for (const c of s.sections) t += sectionSum(c, key);
  return t;
}

/**
 * Every summary whose figure differs from the sum of its rows, for the given money columns. A
 * summary-only section (the trial balance's and aging's `GrandTotal`) totals the rows beside it.
 */
export function totalsMismatches(
  p: ParsedReport,
  keys: string[],
): { path: string[]; key: string; summary: number; sum: number }[] {
  const out: { path: string[]; key: string; summary: number; sum: number }[] = [];
  const visit = (s: ParsedSection, parent: ParsedSection | null) => {
    if (s.summary) {
      const summaryOnly = s.rows.length === 0 && s.sections.length === 0;
      for (const k of keys) {
        const summary = s.summary.amounts[k] ?? 0;
        const sum =
          summaryOnly && parent
            ? parent.rows.reduce((t, r) => t + (r.amounts[k] ?? 0), 0) +
              parent.sections.filter((c) => c !== s).reduce((t, c) => t + sectionSum(c, k), 0)
            : sectionSum(s, k);
        if ((s.summary.cells[k] ?? '') !== '' && summary !== sum)
          out.push({ path: s.summary.path, key: k, summary, sum });
      }
    }
    for (const c of s.sections) visit(c, s);
  };
  visit(p.root, null);
  return out;
}

export const reportRecords = (p: ParsedReport): CanonicalRecord[] =>
  p.rows.map((r) => ({ kind: 'report_row', data: r, raw: null }));

const snake = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');

/**
 * General-ledger data rows that name a transaction → GL postings in the home currency, debit positive.
 * Journal entries are skipped here: their postings come from the JournalEntry entity (with line ids).
 * With `debt_amt`/`credit_amt` columns the sign is read off them; otherwise the natural-sign amount is
 * turned by the account's classification (assets and expenses are debit-natural).
 */
export function glPostings(p: ParsedReport, ctx: MapCtx): CanonicalRecord[] {
  const seen = new Map<string, number>();
  const out: CanonicalRecord[] = [];
  const hasDrCr =
    p.columns.some((c) => c.type === 'debt_amt') && p.columns.some((c) => c.type === 'credit_amt');
  const natKey = p.columns.find((c) => c.type === 'subt_nat_amount' || c.type === 'nat_amount')?.key;
  for (const r of p.rows) {
    if (r.rowType !== 'data' || !r.txnType || !r.txnExternalId || !r.date) continue;
    if (r.txnType === 'Journal Entry') continue;
    const account = [...r.pathIds].reverse().find((x) => x !== null) ?? null;
    let amount: number;
    if (hasDrCr) {
      const dr = p.columns.find((c) => c.type === 'debt_amt')!.key;
      const cr = p.columns.find((c) => c.type === 'credit_amt')!.key;
      amount = (r.amounts[dr] ?? 0) - (r.amounts[cr] ?? 0);
    } else {
      const nat = natKey ? (r.amounts[natKey] ?? 0) : 0;
      const cls = account ? ctx.accounts.get(account)?.classification : null;
      amount = cls === 'Asset' || cls === 'Expense' || !cls ? nat : -nat;
    }
    const base = `gl:${account ?? '-'}:${snake(r.txnType)}:${r.txnExternalId}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const data: GlPosting = {
      externalId: `${base}:${n}`,
      journalExternalId: null,
      journalNumber: null,
      date: r.date,
      accountExternalId: account,
      accountCode: account ? (ctx.accounts.get(account)?.number ?? null) : null,
      amountMinor: amount === 0 ? 0 : amount,
      currency: p.currency,
      sourceType: snake(r.txnType),
      sourceExternalId: r.txnExternalId,
      description: r.cells.memo || null,
      derived: false,
    };
    out.push({ kind: 'gl_posting', data, raw: { report: p.name, position: r.position } });
  }
  return out;
}
