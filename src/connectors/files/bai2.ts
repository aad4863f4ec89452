import type { BankLine } from '../../canonical/bank-line.js';
import { formatMinor, isoDate } from './amounts.js';
import { SyntheticKeys } from './dedupe.js';
import { fileRejected, type Mismatch, type ParsedFile, type ParsedStatement } from './types.js';

/**
 * BAI2 cash-management files: 01 file, 02 group, 03 account, 16 detail, 88 continuation, 49/98/99
 * trailers. Records end with "/" (several may share a physical line) or at a line end. Amounts are in the
 * currency's minor units. Checked: each 49/98/99 control total and record count (and the 98/99 account and
 * group counts) against what the file holds.
 */

const reject = (place: string, reason: string) => fileRejected('bai2', place, reason);

interface Rec {
  type: string;
  fields: string[];
  /** Raw text of the record and its 88 continuations, for 16 text. */
  raw: string;
  /** 88 continuations of a 16 record's text. */
  continuation: string[];
  line: number;
  /** Physical records (this one plus its 88s), for the trailer counts. */
  count: number;
}

export function looksLikeBai2(text: string): boolean {
  return /^\s*01,[^,\n]*,[^,\n]*,\d{6},\d{4},/.test(text.slice(0, 200));
}

function records(text: string): Rec[] {
  const src = text.replace(/\r\n?/g, '\n');
  const out: Rec[] = [];
  const boundary = /\/[ \t]*(?:\n|(?=\d{2},)|$)|\n(?=\d{2},)|\n[ \t]*(?=\n)/g;
  let start = 0;
  let line = 1;
  const push = (chunk: string, at: number) => {
    const body = chunk.replace(/\n/g, ' ').trim();
    if (!body) return;
    const m = /^(\d{2}),?(.*)$/s.exec(body);
    if (!m) throw reject(`line ${at}`, `"${body.slice(0, 30)}" does not start with a record code`);
    const type = m[1]!;
    if (type === '88') {
      const prev = out[out.length - 1];
      if (!prev) throw reject(`line ${at}`, '88 continuation with nothing to continue');
      // a 16 record's text runs on into its 88s; other records continue with more fields
      if (prev.type === '16') prev.continuation.push(m[2]!);
      else prev.fields.push(...m[2]!.split(','));
      prev.raw += ` ${m[2]!}`;
      prev.count += 1;
      return;
    }
    out.push({ type, fields: m[2]!.split(','), continuation: [], raw: m[2]!, line: at, count: 1 });
  };
  for (const b of src.matchAll(boundary)) {
    const chunk = src.slice(start, b.index);
    push(chunk, line);
    line += (src.slice(start, b.index + b[0].length).match(/\n/g) ?? []).length;
    start = b.index + b[0].length;
  }
  push(src.slice(start).replace(/\/\s*$/, ''), line);
  return out;
}

/** BAI2 amounts: optional sign, digits, already in minor units. Empty means 0 (summary fields). */
function amount(s: string | undefined, place: string, what: string, allowEmpty = false): number {
  const t = (s ?? '').trim();
  if (!t && allowEmpty) return 0;
  if (!/^[+-]?\d+$/.test(t)) throw reject(place, `${what} "${t}" is not an amount`);
  const v = Number(t);
  if (!Number.isSafeInteger(v)) throw reject(place, `${what} "${t}" is too large`);
  return v === 0 ? 0 : v;
}

function yymmdd(s: string | undefined, place: string, what: string): string {
  const t = (s ?? '').trim();
  const d = /^\d{6}$/.test(t)
    ? isoDate(2000 + Number(t.slice(0, 2)), Number(t.slice(2, 4)), Number(t.slice(4, 6)))
    : null;
  if (!d) throw reject(place, `${what} "${t}" is not a YYMMDD date`);
  return d;
}

/** Fields a funds type adds after an amount: V = value date+time, S = three amounts, D = n pairs. */
function fundsFields(fields: string[], i: number, place: string): number {
  const ft = (fields[i] ?? '').trim().toUpperCase();
  if (ft === 'V') return 3;
  if (ft === 'S') return 4;
  if (ft === 'D') {
    const n = Number((fields[i + 1] ?? '').trim());
    if (!Number.isInteger(n) || n < 0)
      throw reject(place, `funds type D needs a distribution count, not "${fields[i + 1]}"`);
    return 2 + 2 * n;
  }
  if (ft === '' || ft === 'Z' || ft === '0' || ft === '1' || ft === '2') return 1;
  throw reject(place, `unknown funds type "${ft}"`);
}

/**
 * Credit or debit from the type code: 100–399 credits, 400–699 debits; bank-defined codes 920–959 credits,
 * 960–999 debits (900–919 are custom status codes, not transactions).
 */
function direction(code: number, place: string): 1 | -1 {
  if ((code >= 100 && code <= 399) || (code >= 920 && code <= 959)) return 1;
  if ((code >= 400 && code <= 699) || (code >= 960 && code <= 999)) return -1;
  throw reject(place, `type code ${code} is not a credit or debit detail code`);
}

export function parseBai2(text: string): ParsedFile {
  const recs = records(text);
  const at = (r: Rec) => `line ${r.line} (record ${r.type})`;
  const first = recs[0];
  if (first?.type !== '01') throw reject('line 1', 'the file does not start with an 01 file header');
  const version = first.fields[7]?.trim() || null;
  const statements: ParsedStatement[] = [];
  const mismatches: Mismatch[] = [];
  const keysByAccount = new Map<string, SyntheticKeys>();
  let fileTotal = 0;
  let fileRecords = first.count;
  let groups = 0;
  let i = 1;
  let closed = false;
  const check = (what: string, r: Rec, stated: number, actual: number, currency: string, money: boolean) => {
    if (stated === actual) return;
    mismatches.push({
      check: what,
      place: at(r),
      message: money
        ? `${what.replace(/_/g, ' ')} ${formatMinor(stated, currency)} ≠ ${formatMinor(actual, currency)} in the file: off by ${formatMinor(stated - actual, currency)} ${currency}`
        : `${what.replace(/_/g, ' ')} ${stated} ≠ ${actual} in the file`,
      currency,
      differenceMinor: money ? stated - actual : null,
    });
  };
  while (i < recs.length) {
    const g = recs[i]!;
    if (g.type === '99') {
      fileRecords += g.count;
      check(
        'file_control_total',
        g,
        amount(g.fields[0], at(g), 'file control total'),
        fileTotal,
        'USD',
        true,
      );
      check('file_group_count', g, amount(g.fields[1], at(g), 'number of groups'), groups, 'USD', false);
      check(
        'file_record_count',
        g,
        amount(g.fields[2], at(g), 'number of records'),
        fileRecords,
        'USD',
        false,
      );
      closed = true;
      i++;
      break;
    }
    if (g.type !== '02')
      throw reject(at(g), `expected an 02 group header or 99 file trailer, found ${g.type}`);
    groups++;
    const asOf = yymmdd(g.fields[3], at(g), 'as-of date');
    const groupCurrency = (g.fields[5] ?? '').trim().toUpperCase() || 'USD';
    let groupTotal = 0;
    let groupRecords = g.count;
    let accounts = 0;
    i++;
    for (;;) {
      const a = recs[i];
      if (!a) throw reject(at(g), 'the group has no 98 trailer (truncated?)');
      if (a.type === '98') {
        groupRecords += a.count;
        check(
          'group_control_total',
          a,
          amount(a.fields[0], at(a), 'group control total'),
          groupTotal,
          groupCurrency,
          true,
        );
        check(
          'group_account_count',
          a,
          amount(a.fields[1], at(a), 'number of accounts'),
          accounts,
          groupCurrency,
          false,
        );
        check(
          'group_record_count',
          a,
          amount(a.fields[2], at(a), 'number of records'),
          groupRecords,
          groupCurrency,
          false,
        );
        fileTotal += amount(a.fields[0], at(a), 'group control total');
        fileRecords += groupRecords;
        i++;
        break;
      }
      if (a.type !== '03') throw reject(at(a), `expected an 03 account or 98 group trailer, found ${a.type}`);
      accounts++;
      const st = account(recs, i, asOf, groupCurrency, keysByAccount);
      i = st.next;
      const trailer = recs[i - 1]!;
      check('account_control_total', trailer, st.statedTotal, st.total, st.statement.currency, true);
      check('account_record_count', trailer, st.statedRecords, st.records, st.statement.currency, false);
      groupTotal += st.statedTotal;
      groupRecords += st.records;
      statements.push(st.statement);
    }
  }
  if (!closed)
    throw reject(`line ${recs[recs.length - 1]!.line}`, 'the file has no 99 file trailer (truncated?)');
  if (i < recs.length) throw reject(at(recs[i]!), 'records after the 99 file trailer');
  // control figures belong to the file: report them on the first statement
  if (mismatches.length && statements[0]) statements[0].mismatches.push(...mismatches);
  return { format: 'bai2', version, statements };
}

function account(
  recs: Rec[],
  start: number,
  asOf: string,
  groupCurrency: string,
  keysByAccount: Map<string, SyntheticKeys>,
): {
  statement: ParsedStatement;
  next: number;
  total: number;
  statedTotal: number;
  records: number;
  statedRecords: number;
} {
  const h = recs[start]!;
  const place = `line ${h.line} (record 03)`;
  const number = (h.fields[0] ?? '').trim();
  if (!number) throw reject(place, 'the account number is missing');
  const currency = (h.fields[1] ?? '').trim().toUpperCase() || groupCurrency;
  let total = 0;
  let opening: number | null = null;
  let closing: number | null = null;
  for (let k = 2; k < h.fields.length; ) {
    const code = (h.fields[k] ?? '').trim();
    if (!code) {
      k++;
      continue;
    }
    if (!/^\d{3}$/.test(code)) throw reject(place, `type code "${code}" is not three digits`);
    const v = amount(h.fields[k + 1], place, `amount for type ${code}`, true);
    total += v;
    if (code === '010') opening = v;
    if (code === '015') closing = v;
    k += 3 + fundsFields(h.fields, k + 3, place);
  }
  let keys = keysByAccount.get(number);
  if (!keys) {
    keys = new SyntheticKeys('bai2', number);
    keysByAccount.set(number, keys);
  }
  const lines: BankLine[] = [];
  let records = h.count;
  let i = start + 1;
  for (; ; i++) {
    const r = recs[i];
    if (!r) throw reject(place, `account ${number} has no 49 trailer (truncated?)`);
    records += r.count;
    if (r.type === '49') {
      const tplace = `line ${r.line} (record 49)`;
      return {
        statement: {
          accountNumber: number,
          iban: null,
          currency,
          statementRef: null,
          periodStart: asOf,
          periodEnd: asOf,
          openingBalanceMinor: opening,
          closingBalanceMinor: closing,
          lines,
          mismatches: [],
        },
        next: i + 1,
        total,
        statedTotal: amount(r.fields[0], tplace, 'account control total'),
        records,
        statedRecords: amount(r.fields[1], tplace, 'number of records'),
      };
    }
    if (r.type !== '16')
      throw reject(
        `line ${r.line} (record ${r.type})`,
        `expected a 16 detail or 49 trailer, found ${r.type}`,
      );
    const p = `line ${r.line} (record 16)`;
    const code = (r.fields[0] ?? '').trim();
    if (!/^\d{3}$/.test(code)) throw reject(p, `type code "${code}" is not three digits`);
    const v = amount(r.fields[1], p, 'amount');
    total += v;
    const n = fundsFields(r.fields, 2, p);
    const ft = (r.fields[2] ?? '').trim().toUpperCase();
    const valueDate = ft === 'V' && r.fields[3]?.trim() ? yymmdd(r.fields[3], p, 'value date') : null;
    const bankRef = (r.fields[2 + n] ?? '').trim() || null;
    const custRef = (r.fields[3 + n] ?? '').trim() || null;
    const text =
      [r.fields.slice(4 + n).join(','), ...r.continuation].join(' ').replace(/\s+/g, ' ').trim() || null;
    const amountMinor = direction(Number(code), p) * Math.abs(v);
    lines.push({
      dedupeKey: bankRef
        ? `bai2:ref:${bankRef}:${amountMinor}`
        : keys.next({ date: asOf, amountMinor, text: `${code} ${custRef ?? ''} ${text ?? ''}` }),
      accountNumber: number,
      iban: null,
      currency,
      bookingDate: asOf,
      valueDate,
      amountMinor,
      counterpartyName: null,
      counterpartyAccount: null,
      endToEndId: null,
      remittance: text,
      checkNumber: custRef && /^(475|555|395)$/.test(code) ? custRef : null,
      bankReference: bankRef ?? custRef,
      transactionCode: code,
      raw: { record: `16,${r.raw}`, customerReference: custRef },
    });
  }
}
