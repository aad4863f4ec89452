import { parse } from 'csv-parse/sync';
import type { BankLine } from '../../canonical/bank-line.js';
import { formatMinor, isoDate, parseAmountText } from './amounts.js';
import { SyntheticKeys } from './dedupe.js';
import type { CsvProfile } from './profile.js';
import { shippedProfiles } from './profiles.js';
import { fileRejected, type Mismatch, type ParsedFile, type ParsedStatement } from './types.js';

/**
 * Bank CSV exports through a column-mapping profile: a signed amount or debit/credit columns, "$1,036.47",
 * day-first or month-first dates. With a running-balance column, each row's balance must follow from the
 * one before (in either order: banks export newest first or oldest first).
 */

const reject = (place: string, reason: string) => fileRejected('csv', place, reason);

const norm = (h: string) => h.replace(/\s+/g, '').toLowerCase();

function delimiterOf(text: string, p: CsvProfile): string {
  if (p.delimiter !== 'auto') return p.delimiter;
  const line = text.split(/\r?\n/)[p.skipLines] ?? '';
  const counts = [',', ';', '\t', '|'].map((d) => [d, line.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![0];
}

/** The header row of a CSV text (after `skip` lines), for profile detection. */
export function csvHeader(text: string, skip = 0): string[] {
  const first =
    text
      .split(/\r?\n/)
      .slice(skip)
      .find((l) => l.trim()) ?? '';
  const d = [',', ';', '\t'].sort((a, b) => first.split(b).length - first.split(a).length)[0]!;
  try {
    return (
      (parse(first, { delimiter: d, relax_quotes: true, relax_column_count: true }) as string[][])[0] ?? []
    ).map((h) => h.trim());
  } catch {
    return [];
  }
}

/** The shipped profile whose detectHeaders all appear in the header row. */
export function detectProfile(text: string): CsvProfile | null {
  for (const p of shippedProfiles().values()) {
    if (!p.detectHeaders.length) continue;
    const header = new Set(csvHeader(text, p.skipLines).map(norm));
    if (p.detectHeaders.every((h) => header.has(norm(h)))) return p;
  }
  return null;
}

export function looksLikeCsv(text: string, fileName?: string): boolean {
  if (fileName && /\.(csv|tsv|txt)$/i.test(fileName)) return true;
  const lines = text.split(/\r?\n/, 3).filter(Boolean);
  return lines.length >= 2 && lines.every((l) => /[,;\t]/.test(l)) && !/^\s*</.test(text);
}

function dateOf(s: string, order: CsvProfile['dateOrder']): string | null {
  const t = s.trim().replace(/[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\s*(AM|PM)?$/i, '');
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t);
  if (m && order === 'ymd') return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if (/^\d{8}$/.test(t) && order === 'ymd')
    return isoDate(Number(t.slice(0, 4)), Number(t.slice(4, 6)), Number(t.slice(6, 8)));
  m = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$/.exec(t);
  if (!m || order === 'ymd') return null;
  const y = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
  const [a, b] = [Number(m[1]), Number(m[2])];
  return order === 'mdy' ? isoDate(y, a, b) : isoDate(y, b, a);
}

export function parseCsv(text: string, profile: CsvProfile | null): ParsedFile {
  const p = profile ?? detectProfile(text);
  if (!p)
    throw reject(
      'line 1',
      `no CSV profile given and none of the shipped ones (${[...shippedProfiles().keys()].join(', ')}) matches the header ` +
        `${JSON.stringify(csvHeader(text))}: pass --profile`,
    );
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      delimiter: delimiterOf(text, p),
      from_line: p.skipLines + 1,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const err = e as { lines?: number; message?: string };
    throw reject(`line ${err.lines ?? '?'}`, `not readable as CSV: ${err.message ?? 'parse error'}`);
  }
  const header = p.hasHeader ? (rows.shift()?.record ?? []) : [];
  const index = new Map(header.map((h, i) => [norm(h), i] as const));
  const col = (ref: string | undefined, required: boolean): number | null => {
    if (!ref) return null;
    const n = /^#(\d+)$/.exec(ref);
    const i = n ? Number(n[1]) - 1 : index.get(norm(ref));
    if (i === undefined) {
      if (required)
        throw reject(
          'line 1',
          `profile ${p.name}: column "${ref}" is not in the header ${JSON.stringify(header)}`,
        );
      return null;
    }
    return i;
  };
  const c = p.columns;
  const ci = {
    date: col(c.date, true)!,
    valueDate: col(c.valueDate, true),
    amount: col(c.amount, true),
    debit: col(c.debit, true),
    credit: col(c.credit, true),
    description: c.description.map((d) => col(d, true)!),
    counterparty: col(c.counterparty, true),
    counterpartyAccount: col(c.counterpartyAccount, true),
    reference: col(c.reference, true),
    checkNumber: col(c.checkNumber, true),
    balance: col(c.balance, true),
    currency: col(c.currency, true),
    id: col(c.id, true),
    account: col(c.account, true),
  };
  const ignore = p.ignoreRowsMatching ? new RegExp(p.ignoreRowsMatching, 'i') : null;
  const cell = (r: string[], i: number | null) => (i === null ? null : (r[i] ?? '').trim() || null);
  const where = (line: number, name: string) => `line ${line}, column "${name}"`;
  const lines: BankLine[] = [];
  const balances: (number | null)[] = [];
  const rowLines: number[] = [];
  let currency: string | null = null;
  let accountNumber: string | null = null;
  // the bank account is the key's scope already: profiles that read the same columns give the same keys
  const keys = new SyntheticKeys('csv', '');
  const ids = new Map<string, number>();
  for (const { record: r, info } of rows) {
    const line = info.lines;
    if (r.every((x) => !x.trim())) continue;
    if (ignore?.test(r[0] ?? '')) continue;
    const rawDate = cell(r, ci.date);
    if (!rawDate) throw reject(where(line, c.date), 'the date is empty');
    const bookingDate = dateOf(rawDate, p.dateOrder);
    if (!bookingDate) throw reject(where(line, c.date), `"${rawDate}" is not a date (${p.dateOrder})`);
    const rawValue = cell(r, ci.valueDate);
    const valueDate = rawValue ? dateOf(rawValue, p.dateOrder) : null;
    if (rawValue && !valueDate)
      throw reject(where(line, c.valueDate!), `"${rawValue}" is not a date (${p.dateOrder})`);
    const cur = (cell(r, ci.currency) ?? p.currency ?? '').toUpperCase();
    if (!/^[A-Z]{3}$/.test(cur))
      throw reject(where(line, c.currency ?? 'currency'), `"${cur}" is not a currency code`);
    if (currency && cur !== currency)
      throw reject(where(line, c.currency ?? 'currency'), `${cur} in a ${currency} statement`);
    currency = cur;
    const money = (i: number | null, name: string): number | null => {
      const t = cell(r, i);
      if (t === null) return null;
      const v = parseAmountText(t, cur, p.decimal);
      if (v === null) throw reject(where(line, name), `"${t}" is not an amount`);
      return v;
    };
    let amountMinor: number;
    if (ci.amount !== null) {
      const v = money(ci.amount, c.amount!);
      if (v === null) throw reject(where(line, c.amount!), 'the amount is empty');
      amountMinor = v;
    } else {
      const d = money(ci.debit, c.debit!);
      const k = money(ci.credit, c.credit!);
      if (d === null && k === null)
        throw reject(where(line, `${c.debit}/${c.credit}`), 'both debit and credit are empty');
      amountMinor = (k ?? 0) - Math.abs(d ?? 0);
    }
    if (p.invertSign) amountMinor = -amountMinor;
    if (amountMinor === 0) amountMinor = 0;
    const balance = money(ci.balance, c.balance ?? 'balance');
    const acct = cell(r, ci.account);
    if (acct) accountNumber ??= acct;
    const remittance =
      ci.description
        .map((i) => cell(r, i))
        .filter(Boolean)
        .join(' ') || null;
    const id = cell(r, ci.id);
    if (id) {
      const dup = ids.get(id);
      if (dup !== undefined) throw reject(where(line, c.id!), `id ${id} already used on line ${dup}`);
      ids.set(id, line);
    }
    const reference = cell(r, ci.reference);
    const counterparty = cell(r, ci.counterparty);
    lines.push({
      dedupeKey: id
        ? `csv:id:${id}`
        : keys.next({
            date: bookingDate,
            amountMinor,
            text: `${remittance ?? ''} ${reference ?? ''} ${counterparty ?? ''}`,
            balanceMinor: balance,
          }),
      accountNumber: accountNumber,
      iban: null,
      currency: cur,
      bookingDate,
      valueDate,
      amountMinor,
      counterpartyName: counterparty,
      counterpartyAccount: cell(r, ci.counterpartyAccount),
      endToEndId: null,
      remittance,
      checkNumber: cell(r, ci.checkNumber),
      bankReference: reference ?? id,
      transactionCode: null,
      raw: Object.fromEntries(r.map((v, i) => [header[i] || `#${i + 1}`, v])),
    });
    balances.push(balance);
    rowLines.push(line);
  }
  if (!lines.length) throw reject('line 2', 'the file has no rows');
  const cur = currency!;
  const mismatches: Mismatch[] = [];
  let opening: number | null = null;
  let closing: number | null = null;
  if (ci.balance !== null && balances.every((b) => b !== null)) {
    const bal = balances as number[];
    const amts = lines.map((l) => l.amountMinor);
    const breakAsc = bal.findIndex((b, i) => i > 0 && b !== bal[i - 1]! + amts[i]!);
    const breakDesc = bal.findIndex((b, i) => i < bal.length - 1 && b !== bal[i + 1]! + amts[i]!);
    if (breakAsc === -1) {
      opening = bal[0]! - amts[0]!;
      closing = bal[bal.length - 1]!;
    } else if (breakDesc === -1) {
      opening = bal[bal.length - 1]! - amts[amts.length - 1]!;
      closing = bal[0]!;
    } else {
      // report the break in the order the dates run
      const desc = lines[0]!.bookingDate > lines[lines.length - 1]!.bookingDate;
      const i = desc ? breakDesc : breakAsc;
      const j = desc ? i + 1 : i - 1;
      const expected = bal[j]! + amts[i]!;
      mismatches.push({
        check: 'running_balance',
        place: where(rowLines[i]!, c.balance!),
        message: `balance ${formatMinor(bal[i]!, cur)} ≠ ${formatMinor(bal[j]!, cur)} (line ${rowLines[j]}) + ${formatMinor(amts[i]!, cur)} = ${formatMinor(expected, cur)}: off by ${formatMinor(bal[i]! - expected, cur)} ${cur}`,
        currency: cur,
        differenceMinor: bal[i]! - expected,
      });
    }
  }
  const dates = lines.map((l) => l.bookingDate).sort();
  const st: ParsedStatement = {
    accountNumber,
    iban: null,
    currency: cur,
    statementRef: null,
    periodStart: dates[0]!,
    periodEnd: dates[dates.length - 1]!,
    openingBalanceMinor: opening,
    closingBalanceMinor: closing,
    lines,
    mismatches,
  };
  return { format: 'csv', version: p.name, statements: [st] };
}
