import { z } from 'zod';
import {
  convertMinor,
  type GlPosting,
  GlPosting as GlPostingSchema,
  invertRate,
  toMinor,
} from '../../canonical/index.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { CanonicalRecord, RecordError } from '../connector.js';
import { xeroCalendarDate, xeroDocDate } from './dates.js';
import { XDate, XNum } from './wire.js';

/**
 * The GL side. Journals (the provider's own GL feed, advanced API tier only since March 2026) map line
 * by line to postings that keep their source document; an edit of an authorised invoice is a reversal
 * plus a new journal, so a document's posted amount is the sum over its journals. Without Journals the
 * GL is derived from the documents (and manual journals) and checked against the TrialBalance report.
 * Amounts are in the org's base currency: debit positive, credit negative.
 */

const XJournalLine = z.looseObject({
  JournalLineID: z.string().min(1),
  AccountID: z.string().nullish(),
  AccountCode: z.string().nullish(),
  Description: z.string().nullish(),
  NetAmount: XNum,
});
export const XJournal = z.looseObject({
  JournalID: z.string().min(1),
  JournalNumber: z.number().int(),
  JournalDate: XDate,
  SourceID: z.string().nullish(),
  SourceType: z.string().nullish(),
  Reference: z.string().nullish(),
  JournalLines: z.array(XJournalLine).default([]),
});

const issueOf = (e: z.ZodError): { field: string; message: string } => {
  const i = e.issues[0];
  return { field: i ? i.path.map(String).join('.') : '', message: i?.message ?? 'invalid' };
};

/** One journal → its postings (JournalLineID is the posting's external id). */
export function mapJournal(raw: unknown, baseCurrency: string): Result<CanonicalRecord[], RecordError> {
  const id = (raw as { JournalID?: unknown } | null)?.JournalID;
  const externalId = typeof id === 'string' ? id : null;
  const p = XJournal.safeParse(raw);
  if (!p.success) {
    const { field, message } = issueOf(p.error);
    return err({ entity: 'gl_postings', externalId, field, message, raw });
  }
  const j = p.data;
  try {
    const date = xeroCalendarDate(j.JournalDate);
    return ok(
      j.JournalLines.map((l, n) => {
        const data: GlPosting = {
          externalId: l.JournalLineID,
          journalExternalId: j.JournalID,
          journalNumber: j.JournalNumber,
          date,
          accountExternalId: l.AccountID ?? null,
          accountCode: l.AccountCode ?? null,
          amountMinor: lineAmount(l.NetAmount, baseCurrency, `JournalLines.${n}.NetAmount`),
          currency: baseCurrency,
          sourceType: j.SourceType ?? null,
          sourceExternalId: j.SourceID ?? null,
          description: l.Description || j.Reference || null,
          derived: false,
        };
        return { kind: 'gl_posting' as const, data: GlPostingSchema.parse(data), raw: l };
      }),
    );
  } catch (e) {
    const f = e instanceof FieldErr ? e.field : null;
    return err({ entity: 'gl_postings', externalId, field: f, message: (e as Error).message, raw });
  }
}

class FieldErr extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function lineAmount(v: string | number, currency: string, field: string): number {
  try {
    return toMinor(v, currency);
  } catch (e) {
    throw new FieldErr(field, (e as Error).message);
  }
}

const XManualJournal = z.looseObject({
  ManualJournalID: z.string().min(1),
  Date: XDate,
  Status: z.string().min(1),
  Narration: z.string().nullish(),
  JournalLines: z
    .array(
      z.looseObject({
        LineAmount: XNum,
        AccountCode: z.string().nullish(),
        AccountID: z.string().nullish(),
        Description: z.string().nullish(),
      }),
    )
    .default([]),
});

/**
 * A manual journal → derived postings `mj:<id>:<n>` (pulled whether or not Journals are available; in
 * journals mode the provider's own MANJOURNAL journals carry the same lines with `derived: false`).
 * A journal that is not POSTED (draft, voided, deleted) withdraws its lines.
 */
export function mapManualJournal(raw: unknown, baseCurrency: string): Result<CanonicalRecord[], RecordError> {
  const id = (raw as { ManualJournalID?: unknown } | null)?.ManualJournalID;
  const externalId = typeof id === 'string' ? id : null;
  const p = XManualJournal.safeParse(raw);
  if (!p.success) {
    const { field, message } = issueOf(p.error);
    return err({ entity: 'gl_postings', externalId, field, message, raw });
  }
  const m = p.data;
  const key = (n: number) => `mj:${m.ManualJournalID}:${n}`;
  if (m.Status.toUpperCase() !== 'POSTED')
    return ok(
      m.JournalLines.map((_, n) => ({
        kind: 'deletion' as const,
        data: { externalId: key(n), of: 'gl_posting' as const },
        raw: null,
      })),
    );
  try {
    const date = xeroCalendarDate(m.Date);
    return ok(
      m.JournalLines.map((l, n) => ({
        kind: 'gl_posting' as const,
        data: GlPostingSchema.parse({
          externalId: key(n),
          journalExternalId: m.ManualJournalID,
          journalNumber: null,
          date,
          accountExternalId: l.AccountID ?? null,
          accountCode: l.AccountCode ?? null,
          amountMinor: lineAmount(l.LineAmount, baseCurrency, `JournalLines.${n}.LineAmount`),
          currency: baseCurrency,
          sourceType: 'MANJOURNAL',
          sourceExternalId: m.ManualJournalID,
          description: l.Description || m.Narration || null,
          derived: true,
        } satisfies GlPosting),
        raw: l,
      })),
    );
  } catch (e) {
    const f = e instanceof FieldErr ? e.field : null;
    return err({ entity: 'gl_postings', externalId, field: f, message: (e as Error).message, raw });
  }
}

/** The chart facts derivation needs. */
export interface GlChart {
  baseCurrency: string;
  /** Account code of accounts receivable (Xero's DEBTORS system account). */
  receivableCode: string;
  /** Account code the sales tax is posted to (Xero's GST/tax system account). */
  taxCode: string;
  /** Account id → code, for bank accounts referenced by id. */
  codeOfAccountId: ReadonlyMap<string, string>;
}

type Raw = Record<string, unknown>;
const num = (v: unknown): string | number => (typeof v === 'number' || typeof v === 'string' ? v : 0);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Documents as pulled (their raw Xero JSON). */
export interface XeroDocuments {
  invoices: Raw[];
  creditNotes: Raw[];
  payments: Raw[];
  bankTransactions: Raw[];
}

/**
 * Rebuild GL postings from documents: invoices Dr AR / Cr revenue lines and tax; credit notes the
 * reverse; invoice payments Dr bank / Cr AR (refunds the reverse); bank transactions Dr/Cr bank against
 * their lines (overpayments and prepayments against AR). Deleted, voided and draft documents post nothing.
 * Foreign-currency documents convert at their own rate. Posting ids: `derived:<doc>:<n>`.
 */
export function deriveGlPostings(docs: XeroDocuments, chart: GlChart): GlPosting[] {
  const out: GlPosting[] = [];
  const base = chart.baseCurrency;
  const push = (
    doc: string,
    sourceType: string,
    date: string,
    lines: { code: string | null; amountMinor: number; description: string | null }[],
  ) => {
    lines.forEach((l, n) => {
      if (l.amountMinor === 0) return;
      out.push({
        externalId: `derived:${doc}:${n}`,
        journalExternalId: null,
        journalNumber: null,
        date,
        accountExternalId: null,
        accountCode: l.code,
        amountMinor: l.amountMinor,
        currency: base,
        sourceType,
        sourceExternalId: doc,
        description: l.description,
        derived: true,
      });
    });
  };
  const toBase = (amount: unknown, cur: string, rate: unknown): number => {
    const minor = toMinor(num(amount), cur);
    if (cur === base) return minor;
    const r = String(num(rate ?? 1));
    return convertMinor(minor, cur, invertRate(r), base);
  };
  const posts = (s: unknown) => ['AUTHORISED', 'PAID'].includes(String(s).toUpperCase());

  const documentLines = (d: Raw, sign: 1 | -1) => {
    const cur = String(d.CurrencyCode ?? base);
    const inclusive = String(d.LineAmountTypes ?? '').toLowerCase() === 'inclusive';
    const items = Array.isArray(d.LineItems) ? (d.LineItems as Raw[]) : [];
    const lines = items.map((l) => {
      const amt = toBase(l.LineAmount, cur, d.CurrencyRate);
      const tax = toBase(l.TaxAmount ?? 0, cur, d.CurrencyRate);
      return {
        code: str(l.AccountCode),
        amountMinor: -sign * (inclusive ? amt - tax : amt),
        description: str(l.Description),
      };
    });
    const total = toBase(d.Total, cur, d.CurrencyRate);
    const taxTotal = toBase(d.TotalTax ?? 0, cur, d.CurrencyRate);
    // rounding of the conversion lands on the tax line, so the entry balances
    const sumLines = lines.reduce((a, l) => a + l.amountMinor, 0);
    const taxLine = -sign * total - sumLines;
    void taxTotal;
    return [
      { code: chart.receivableCode, amountMinor: sign * total, description: str(d.Reference) },
      ...lines,
      { code: chart.taxCode, amountMinor: taxLine, description: 'tax' },
    ];
  };

  for (const d of docs.invoices) {
    if (d.Type !== 'ACCREC' || !posts(d.Status)) continue;
    push(String(d.InvoiceID), 'ACCREC', xeroDocDate(str(d.DateString), String(d.Date)), documentLines(d, 1));
  }
  for (const d of docs.creditNotes) {
    if (d.Type !== 'ACCRECCREDIT' || !posts(d.Status)) continue;
    push(
      String(d.CreditNoteID),
      'ACCRECCREDIT',
      xeroDocDate(str(d.DateString), String(d.Date)),
      documentLines(d, -1),
    );
  }
  for (const p of docs.payments) {
    if (String(p.Status).toUpperCase() !== 'AUTHORISED') continue;
    const type = String(p.PaymentType).toUpperCase();
    const sign =
      type === 'ACCRECPAYMENT'
        ? 1
        : ['ARCREDITPAYMENT', 'AROVERPAYMENTPAYMENT', 'ARPREPAYMENTPAYMENT'].includes(type)
          ? -1
          : 0;
    if (sign === 0) continue;
    const inv = (p.Invoice ?? {}) as Raw;
    const cur = String(inv.CurrencyCode ?? base);
    const amount = toBase(p.Amount, cur, p.CurrencyRate);
    const account = (p.Account ?? {}) as Raw;
    const bank = str(account.Code) ?? chart.codeOfAccountId.get(String(account.AccountID)) ?? null;
    push(String(p.PaymentID), type, xeroCalendarDate(String(p.Date)), [
      { code: bank, amountMinor: sign * amount, description: str(p.Reference) },
      { code: chart.receivableCode, amountMinor: -sign * amount, description: str(p.Reference) },
    ]);
  }
  for (const t of docs.bankTransactions) {
    if (!posts(t.Status)) continue;
    const type = String(t.Type).toUpperCase();
    if (type.endsWith('-TRANSFER')) continue;
    const sign = type.startsWith('RECEIVE') ? 1 : -1;
    const cur = String(t.CurrencyCode ?? base);
    const account = (t.BankAccount ?? {}) as Raw;
    const bank = str(account.Code) ?? chart.codeOfAccountId.get(String(account.AccountID)) ?? null;
    const total = toBase(t.Total, cur, t.CurrencyRate);
    const date = xeroDocDate(str(t.DateString), String(t.Date));
    if (type.includes('OVERPAYMENT') || type.includes('PREPAYMENT')) {
      push(String(t.BankTransactionID), type, date, [
        { code: bank, amountMinor: sign * total, description: str(t.Reference) },
        { code: chart.receivableCode, amountMinor: -sign * total, description: str(t.Reference) },
      ]);
      continue;
    }
    const inclusive = String(t.LineAmountTypes ?? '').toLowerCase() === 'inclusive';
    const items = Array.isArray(t.LineItems) ? (t.LineItems as Raw[]) : [];
    const lines = items.map((l) => {
      const amt = toBase(l.LineAmount, cur, t.CurrencyRate);
      const tax = toBase(l.TaxAmount ?? 0, cur, t.CurrencyRate);
      return {
        code: str(l.AccountCode),
        amountMinor: -sign * (inclusive ? amt - tax : amt),
        description: str(l.Description),
      };
    });
    const taxLine = -sign * total - lines.reduce((a, l) => a + l.amountMinor, 0);
    push(String(t.BankTransactionID), type, date, [
      { code: bank, amountMinor: sign * total, description: str(t.Reference) },
      ...lines,
      { code: chart.taxCode, amountMinor: taxLine, description: 'tax' },
    ]);
  }
  return out;
}

/** One account's balance on the TrialBalance report (YTD debit − YTD credit, minor units). */
export interface TrialBalanceLine {
  accountId: string | null;
  accountCode: string | null;
  name: string;
  balanceMinor: number;
}

/** Parse Xero's TrialBalance report rows (Account, Debit, Credit, YTD Debit, YTD Credit). */
export function parseTrialBalance(data: Record<string, unknown>, baseCurrency: string): TrialBalanceLine[] {
  const report = (Array.isArray(data.Reports) ? data.Reports[0] : null) as Raw | null;
  const out: TrialBalanceLine[] = [];
  const walk = (rows: unknown) => {
    if (!Array.isArray(rows)) return;
    for (const r of rows as Raw[]) {
      if (r.RowType === 'Section') walk(r.Rows);
      if (r.RowType !== 'Row') continue;
      const cells = (Array.isArray(r.Cells) ? r.Cells : []) as Raw[];
      const name = String(cells[0]?.Value ?? '');
      const attrs = (Array.isArray(cells[0]?.Attributes) ? cells[0]?.Attributes : []) as Raw[];
      const accountId = str(attrs.find((a) => a.Id === 'account')?.Value);
      const code = /\(([^()]+)\)\s*$/.exec(name)?.[1] ?? null;
      const cell = (i: number) => {
        const v = String(cells[i]?.Value ?? '').replace(/,/g, '');
        return v === '' ? 0 : toMinor(v, baseCurrency);
      };
      out.push({ accountId, accountCode: code, name, balanceMinor: cell(3) - cell(4) });
    }
  };
  walk(report?.Rows);
  return out;
}

export interface TrialBalanceDifference {
  accountCode: string | null;
  name: string;
  trialBalanceMinor: number;
  derivedMinor: number;
}

/** Compare derived balances per account code with the report; returns the accounts that differ. */
export function compareWithTrialBalance(
  tb: readonly TrialBalanceLine[],
  derivedByCode: ReadonlyMap<string, number>,
): TrialBalanceDifference[] {
  const seen = new Set<string>();
  const diffs: TrialBalanceDifference[] = [];
  for (const l of tb) {
    const code = l.accountCode ?? '';
    seen.add(code);
    const ours = derivedByCode.get(code) ?? 0;
    if (ours !== l.balanceMinor)
      diffs.push({
        accountCode: l.accountCode,
        name: l.name,
        trialBalanceMinor: l.balanceMinor,
        derivedMinor: ours,
      });
  }
  for (const [code, v] of derivedByCode)
    if (!seen.has(code) && v !== 0)
      diffs.push({
        accountCode: code,
        name: '(not on the trial balance)',
        trialBalanceMinor: 0,
        derivedMinor: v,
      });
  return diffs;
}

/**
 * The first day of the financial year that contains `asOf`, from Xero's FinancialYearEndDay/Month
 * (null when the organisation does not say): the TrialBalance's YTD columns of P&L accounts start there.
 */
export function financialYearStart(asOf: string, org: Record<string, unknown> | undefined): string | null {
  const day = Number(org?.FinancialYearEndDay);
  const month = Number(org?.FinancialYearEndMonth);
  if (!Number.isInteger(day) || !Number.isInteger(month) || month < 1 || month > 12) return null;
  const year = Number(asOf.slice(0, 4));
  const endOf = (y: number) => {
    const last = new Date(Date.UTC(y, month, 0)).getUTCDate();
    return new Date(Date.UTC(y, month - 1, Math.min(day, last)));
  };
  const end = endOf(year).toISOString().slice(0, 10) < asOf ? endOf(year) : endOf(year - 1);
  return new Date(end.getTime() + 86_400_000).toISOString().slice(0, 10);
}
