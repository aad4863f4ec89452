import type { BankLine } from '../../canonical/bank-line.js';
import { formatMinor, isoDate, parseAmountText } from './amounts.js';
import { SyntheticKeys } from './dedupe.js';
import { fileRejected, type Mismatch, type ParsedFile, type ParsedStatement } from './types.js';

/**
 * SWIFT MT940: statements of tagged fields (:20: :25: :28C: :60F/M: :61:/:86:… :62F/M:). :61: carries
 * value date, optional entry date, D/C/RC/RD, an optional funds code, the amount with a decimal comma,
 * the transaction type and references; :86: is free text, or German ?NN sub-fields (with SEPA EREF+/SVWZ+
 * keywords), or Dutch /CODE/ sub-fields (/EREF/ /REMI/ /NAME/ …). Checked: :60: + :61: = :62:.
 */

const reject = (place: string, reason: string) => fileRejected('mt940', place, reason);

interface Field {
  tag: string;
  lines: string[];
  line: number;
}

export function looksLikeMt940(text: string): boolean {
  const head = text.slice(0, 4000);
  return /^:20:/m.test(head) && /^:(25|60F|60M|61):/m.test(head);
}

/** Physical lines into fields; everything before the first :20: (bank preambles, {1:…} blocks) is skipped. */
function fields(text: string): Field[][] {
  const rows = text.replace(/\r\n?/g, '\n').split('\n');
  const statements: Field[][] = [];
  let cur: Field[] | null = null;
  let last: Field | null = null;
  for (const [i, raw] of rows.entries()) {
    const line = raw.replace(/\s+$/, '').replace(/^\{4:/, '');
    const m = /^:(\d{2}[A-Z]?):(.*)$/.exec(line);
    if (m) {
      const tag = m[1]!;
      if (tag === '20') {
        cur = [];
        statements.push(cur);
      }
      if (!cur) {
        last = null;
        continue;
      }
      last = { tag, lines: [m[2]!], line: i + 1 };
      cur.push(last);
      continue;
    }
    if (line === '-' || line === '-}' || line.startsWith('{5:') || line === '') {
      if (line !== '') last = null;
      continue;
    }
    if (last) last.lines.push(raw.replace(/\r$/, ''));
  }
  return statements;
}

function yymmdd(s: string, place: string): string {
  const y = Number(s.slice(0, 2));
  const d = isoDate((y < 80 ? 2000 : 1900) + y, Number(s.slice(2, 4)), Number(s.slice(4, 6)));
  if (!d) throw reject(place, `"${s}" is not a YYMMDD date`);
  return d;
}

function balance(f: Field, place: string): { minor: number; currency: string; date: string } {
  const m = /^([CD])(\d{6})([A-Z]{3})([\d,.]+)$/.exec(f.lines[0]!.trim());
  if (!m) throw reject(place, `:${f.tag}: "${f.lines[0]}" is not D/C, YYMMDD, currency, amount`);
  const v = parseAmountText(m[4]!, m[3]!, ',');
  if (v === null) throw reject(place, `:${f.tag}: amount "${m[4]}" is not an amount`);
  return { minor: m[1] === 'D' ? -v : v, currency: m[3]!, date: yymmdd(m[2]!, place) };
}

export function parseMt940(text: string): ParsedFile {
  const stmts = fields(text);
  if (!stmts.length) throw reject('line 1', 'no :20: field: not an MT940 statement');
  return { format: 'mt940', version: null, statements: stmts.map(statement) };
}

/** Join wrapped lines: a full (65-character) line continues mid-word, a shorter one ends a line. */
function joinWrapped(lines: string[], tagWidth: number): string {
  let out = lines[0] ?? '';
  for (let i = 1; i < lines.length; i++) {
    const prevWidth = lines[i - 1]!.length + (i === 1 ? tagWidth : 0);
    out += (prevWidth >= 65 ? '' : ' ') + lines[i]!;
  }
  return out;
}

function statement(fs: Field[]): ParsedStatement {
  const at = (f: Field) => `line ${f.line} (:${f.tag}:)`;
  const first = fs[0]!;
  const ref = first.lines[0]!.trim();
  const acctField = fs.find((f) => f.tag === '25');
  if (!acctField) throw reject(at(first), `statement ${ref} has no :25: account`);
  const account = acctField.lines[0]!.trim();
  const compact = account.replace(/\s/g, '').toUpperCase();
  const iban = /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(compact) ? compact : null;
  const openF = fs.find((f) => f.tag === '60F' || f.tag === '60M');
  if (!openF) throw reject(at(acctField), `statement ${ref} has no :60F:/:60M: opening balance`);
  const opening = balance(openF, at(openF));
  const closeF = fs.find((f) => f.tag === '62F' || f.tag === '62M');
  const closing = closeF ? balance(closeF, at(closeF)) : null;
  if (!closeF) throw reject(at(openF), `statement ${ref} has no :62F:/:62M: closing balance (truncated?)`);
  const currency = opening.currency;
  const seqNo = fs.find((f) => f.tag === '28C' || f.tag === '28')?.lines[0]?.trim() ?? null;
  const keys = new SyntheticKeys('mt940', iban ?? account);
  const lines: BankLine[] = [];
  for (let i = 0; i < fs.length; i++) {
    const f = fs[i]!;
    if (f.tag !== '61') continue;
    const next = fs[i + 1];
    const info = next?.tag === '86' ? next : null;
    lines.push(entry(f, info, currency, account, iban, keys));
  }
  const mismatches: Mismatch[] = [];
  const sum = lines.reduce((t, l) => t + l.amountMinor, 0);
  if (closing) {
    if (closing.currency !== currency)
      throw reject(at(closeF), `the closing balance is in ${closing.currency}, the opening in ${currency}`);
    const diff = closing.minor - (opening.minor + sum);
    if (diff !== 0)
      mismatches.push({
        check: 'closing_balance',
        place: `${at(closeF)} of statement ${ref}${seqNo ? ` ${seqNo}` : ''}`,
        message:
          `:${openF.tag}: ${formatMinor(opening.minor, currency)} + :61: lines ${formatMinor(sum, currency)} = ` +
          `${formatMinor(opening.minor + sum, currency)}, but :${closeF.tag}: is ${formatMinor(closing.minor, currency)}: ` +
          `off by ${formatMinor(diff, currency)} ${currency}`,
        currency,
        differenceMinor: diff,
      });
  }
  const dates = lines.map((l) => l.bookingDate).sort();
  return {
    accountNumber: account,
    iban,
    currency,
    statementRef: seqNo ? `${ref} ${seqNo}` : ref,
    periodStart: dates[0] ?? opening.date,
    periodEnd:
      closing && (!dates.length || closing.date >= dates[dates.length - 1]!)
        ? closing.date
        : (dates[dates.length - 1] ?? null),
    openingBalanceMinor: opening.minor,
    closingBalanceMinor: closing?.minor ?? null,
    lines,
    mismatches,
  };
}

const LINE61 = /^(\d{6})(\d{4})?(RC|RD|C|D|EC|ED)([A-Z])?(\d[\d,.]*)([NFS][A-Z0-9]{3})(.*)$/;

function entry(
  f: Field,
  info: Field | null,
  currency: string,
  account: string,
  iban: string | null,
  keys: SyntheticKeys,
): BankLine {
  const place = `line ${f.line} (:61:)`;
  const first = f.lines[0]!.trim();
  const m = LINE61.exec(first);
  if (!m) throw reject(place, `"${first}" is not value date, [entry date], D/C, amount, type, reference`);
  const valueDate = yymmdd(m[1]!, place);
  let bookingDate = valueDate;
  if (m[2]) {
    const vy = Number(valueDate.slice(0, 4));
    const vm = Number(valueDate.slice(5, 7));
    const em = Number(m[2].slice(0, 2));
    const year = em - vm > 6 ? vy - 1 : vm - em > 6 ? vy + 1 : vy;
    const d = isoDate(year, em, Number(m[2].slice(2, 4)));
    if (!d) throw reject(place, `entry date "${m[2]}" is not MMDD`);
    bookingDate = d;
  }
  const mark = m[3]!;
  const v = parseAmountText(m[5]!, currency, ',');
  if (v === null) throw reject(place, `amount "${m[5]}" is not an amount`);
  const amountMinor = mark === 'D' || mark === 'ED' || mark === 'RC' ? -v : v;
  const [ownerRef = '', bankRef = ''] = m[7]!.split('//');
  const supplementary =
    f.lines
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ') || null;
  const details = info ? parse86(info.lines) : null;
  const suppAccount = supplementary && /^[A-Z0-9]{6,34}$/.test(supplementary) ? supplementary : null;
  const owner = ownerRef.trim();
  const text = details?.remittance ?? (suppAccount ? null : supplementary);
  const dedupeKey = keys.next({
    date: bookingDate,
    amountMinor,
    text: `${owner} ${bankRef} ${details?.raw ?? ''} ${supplementary ?? ''}`,
  });
  return {
    dedupeKey,
    accountNumber: account,
    iban,
    currency,
    bookingDate,
    valueDate,
    amountMinor,
    counterpartyName: details?.name ?? null,
    counterpartyAccount: details?.account ?? suppAccount,
    endToEndId: details?.endToEndId ?? null,
    remittance: text,
    checkNumber: m[6] === 'NCHK' && owner && owner !== 'NONREF' ? owner : null,
    bankReference: bankRef.trim() || (owner && owner !== 'NONREF' ? owner : null),
    transactionCode: details?.code ? `${m[6]!.slice(1)} ${details.code}` : m[6]!.slice(1),
    raw: {
      ':61:': f.lines.join('\n'),
      ...(info ? { ':86:': info.lines.join('\n') } : {}),
      reversal: mark.startsWith('R'),
    },
  };
}

export interface Details86 {
  raw: string;
  code: string | null;
  name: string | null;
  account: string | null;
  endToEndId: string | null;
  remittance: string | null;
}

const SEPA_KEYS = /(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT|SQTP|PURP)\+/g;
const DUTCH_CODES =
  /\/(EREF|PREF|MARF|CSID|CNTP|REMI|PURP|ULTC|ULTD|ULTB|BENM|ORDP|NAME|ID|ADDR|ISDT|RTRN|IBAN|BIC|TRTP|TRCD|CREF|FX|ORIG|EXCH|CHGS|SEPA)\//g;

/** :86: → counterparty, end-to-end id and remittance, from German ?NN, Dutch /CODE/ or free text. */
export function parse86(lines: string[]): Details86 {
  const trimmed = lines.map((l) => l.replace(/\s+$/, ''));
  const german = /^ ?(\d{3})\?/.exec(trimmed[0] ?? '');
  // German ?NN sub-fields wrap anywhere, even inside a sub-field code: continuation lines join as they are
  if (german)
    return parseGerman(
      lines
        .map((l) => l.replace(/\r$/, ''))
        .join('')
        .trim(),
      german[1]!,
    );
  const raw = joinWrapped(trimmed, 4).trim();
  if (/^\/[A-Z]{2,4}\//.test(raw)) return parseDutch(raw);
  return {
    raw,
    code: null,
    name: null,
    account: null,
    endToEndId: null,
    remittance: raw.replace(/\s+/g, ' ') || null,
  };
}

function parseGerman(raw: string, code: string): Details86 {
  // sub-fields: ?NN value (wrapped lines were joined without a separator, so "?2" + "2…" becomes "?22…")
  const body = raw.replace(/^\s*\d{3}/, '');
  const sub = new Map<string, string[]>();
  for (const m of body.matchAll(/\?(\d{2})([^?]*)/g)) {
    const k = m[1]!;
    sub.set(k, [...(sub.get(k) ?? []), m[2]!]);
  }
  const take = (...ks: string[]) => joinSubfields(ks.flatMap((k) => sub.get(k) ?? [])) || null;
  const purposeKeys = ['20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '60', '61', '62', '63'];
  const purpose = joinSubfields(purposeKeys.flatMap((k) => sub.get(k) ?? []));
  const sepa = new Map<string, string>();
  const parts = purpose.split(SEPA_KEYS);
  // split with a capture group: [before, key, value, key, value …]
  for (let i = 1; i < parts.length; i += 2) sepa.set(parts[i]!, (parts[i + 1] ?? '').trim());
  const free = parts[0]!.trim();
  const remittance = sepa.get('SVWZ') ?? (free || null) ?? (sepa.size ? null : purpose.trim() || null);
  const name = take('32', '33');
  return {
    raw,
    code: code + (take('00') ? ` ${take('00')}` : ''),
    name,
    account: take('38') ?? take('31'),
    endToEndId: sepa.get('EREF') && sepa.get('EREF') !== 'NOTPROVIDED' ? sepa.get('EREF')! : null,
    remittance: remittance ?? take('00'),
  };
}

/** Sub-fields hold 27 characters: a full one continues mid-word into the next, a shorter one ends a word. */
function joinSubfields(parts: string[]): string {
  let out = '';
  for (const [i, p] of parts.entries()) out += (i > 0 && parts[i - 1]!.length < 27 ? ' ' : '') + p;
  return out.replace(/\s+/g, ' ').trim();
}

function parseDutch(raw: string): Details86 {
  const parts = raw.split(DUTCH_CODES);
  const f = new Map<string, string>();
  for (let i = 1; i < parts.length; i += 2)
    if (!f.has(parts[i]!)) f.set(parts[i]!, (parts[i + 1] ?? '').replace(/\/$/, '').trim());
  const cntp = f.get('CNTP')?.split('/') ?? [];
  const e2e = f.get('EREF');
  return {
    raw,
    code: f.get('TRCD') ?? null,
    name: f.get('NAME') || cntp[2] || null,
    account: f.get('IBAN') || cntp[0] || null,
    endToEndId: e2e && e2e !== 'NOTPROVIDED' ? e2e : null,
    remittance: f.get('REMI') || null,
  };
}
