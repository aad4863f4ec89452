import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { BankLine } from '../../canonical/bank-line.js';
import { formatMinor, isoDate, parseAmountText } from './amounts.js';
import { SyntheticKeys } from './dedupe.js';
import { fileRejected, type Mismatch, type ParsedFile, type ParsedStatement } from './types.js';

/**
 * ISO 20022 camt.053 (001.02 to 001.08): Document/BkToCstmrStmt/Stmt*, each with balances (Bal) and
 * entries (Ntry). Booked entries only; an entry with several TxDtls whose amounts add up to it becomes one
 * line per TxDtls. Checked: opening (OPBD, else PRCD) + booked entries = closing (CLBD).
 */

type X = Record<string, unknown>;
const reject = (place: string, reason: string) => fileRejected('camt053', place, reason);

const ARRAYS = new Set(['Stmt', 'Bal', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd', 'Strd', 'AdrLine']);
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
});

const isObj = (v: unknown): v is X => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (v: unknown, ...path: string[]): unknown => {
  let cur = v;
  for (const p of path) {
    if (Array.isArray(cur)) cur = cur[0];
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const text = (v: unknown): string | null => {
  const x = Array.isArray(v) ? v[0] : v;
  if (typeof x === 'string') return x.trim() || null;
  if (isObj(x) && typeof x['#text'] === 'string') return (x['#text'] as string).trim() || null;
  return null;
};
const str = (v: unknown, ...path: string[]) => text(get(v, ...path));

export function looksLikeCamt053(head: string): boolean {
  return /camt\.053\.001\.\d\d/.test(head) || /<(\w+:)?BkToCstmrStmt[\s>]/.test(head);
}

export function parseCamt053(xml: string): ParsedFile {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw reject('prolog', 'DOCTYPE/ENTITY declarations are not allowed');
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    throw reject(`line ${valid.err.line}, column ${valid.err.col}`, `not well-formed XML: ${valid.err.msg}`);
  const doc = parser.parse(xml) as X;
  const ns = /urn:iso:std:iso:20022:tech:xsd:camt\.(\d{3})\.(\d{3}\.\d{2})/.exec(xml.slice(0, 2000));
  if (ns && ns[1] !== '053') throw reject('Document', `this is camt.${ns[1]}, not a camt.053 statement`);
  const version = ns?.[2] ?? null;
  if (version && !/^001\.0[2-8]$/.test(version))
    throw reject('Document', `camt.053 version ${version} is not supported (001.02–001.08)`);
  const root = get(doc, 'Document', 'BkToCstmrStmt');
  if (!isObj(root)) throw reject('Document', 'no Document/BkToCstmrStmt element');
  const stmts = list(root.Stmt);
  if (!stmts.length) throw reject('BkToCstmrStmt', 'no Stmt element');
  return { format: 'camt053', version, statements: stmts.map((s, i) => statement(s as X, i)) };
}

function date(v: unknown, place: string, what: string): string {
  const t = str(v, 'Dt') ?? str(v, 'DtTm');
  if (!t) throw reject(place, `${what} has no Dt/DtTm`);
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(t);
  const d = m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  if (!d) throw reject(place, `${what} "${t}" is not a date`);
  return d;
}

interface Amt {
  minor: number;
  currency: string;
}
function amount(node: unknown, place: string): Amt {
  const a = get(node, 'Amt');
  const raw = text(a);
  const currency = isObj(a) && typeof a['@_Ccy'] === 'string' ? a['@_Ccy'].toUpperCase() : null;
  if (!raw || !currency) throw reject(place, 'Amt with its Ccy is missing');
  if (!/^\d+(\.\d+)?$/.test(raw)) throw reject(place, `Amt "${raw}" is not an amount`);
  const v = parseAmountText(raw, currency);
  if (v === null) throw reject(place, `Amt "${raw}" is not an amount in ${currency}`);
  const ind = str(node, 'CdtDbtInd');
  if (ind !== 'CRDT' && ind !== 'DBIT')
    throw reject(place, `CdtDbtInd "${ind ?? ''}" is neither CRDT nor DBIT`);
  return { minor: ind === 'DBIT' ? -v : v, currency };
}

function balance(
  s: X,
  codes: string[],
  where: string,
): (Amt & { code: string; place: string; date: string | null }) | null {
  for (const code of codes) {
    for (const [i, b] of list(s.Bal).entries()) {
      const c = str(b, 'Tp', 'CdOrPrtry', 'Cd') ?? str(b, 'Tp', 'CdOrPrtry', 'Prtry');
      if (c !== code) continue;
      const place = `${where}/Bal[${i + 1}] (${code})`;
      const d = get(b, 'Dt');
      return { ...amount(b, place), code, place, date: d ? date(d, place, 'Dt') : null };
    }
  }
  return null;
}

function statement(s: X, i: number): ParsedStatement {
  const id = str(s, 'Id');
  const where = `Stmt[${i + 1}]${id ? ` (${id})` : ''}`;
  const iban = str(s, 'Acct', 'Id', 'IBAN');
  const other = str(s, 'Acct', 'Id', 'Othr', 'Id');
  if (!iban && !other) throw reject(`${where}/Acct`, 'the account (Acct/Id/IBAN or Othr/Id) is missing');
  const opening = balance(s, ['OPBD', 'PRCD'], where);
  const closing = balance(s, ['CLBD'], where);
  const entries = list(s.Ntry);
  const currency =
    str(s, 'Acct', 'Ccy')?.toUpperCase() ??
    opening?.currency ??
    (entries[0] ? amount(entries[0], `${where}/Ntry[1]`).currency : null);
  if (!currency) throw reject(`${where}/Acct`, 'the account currency (Acct/Ccy) is missing');
  const mismatches: Mismatch[] = [];
  const keys = new SyntheticKeys('camt', iban ?? other ?? '');
  const lines: BankLine[] = [];
  const refs = new Map<string, string>();
  let booked = 0;
  for (const [n, e] of entries.entries()) {
    const place = `${where}/Ntry[${n + 1}]`;
    const status = str(e, 'Sts', 'Cd') ?? str(e, 'Sts');
    if (status && status !== 'BOOK') continue; // pending / information only: not on the statement
    const amt = amount(e, place);
    if (amt.currency !== currency)
      throw reject(place, `the entry is in ${amt.currency}, the account in ${currency}`);
    booked += amt.minor;
    const bookingDate = date(get(e, 'BookgDt'), `${place}/BookgDt`, 'BookgDt');
    const vd = get(e, 'ValDt');
    const valueDate = vd ? date(vd, `${place}/ValDt`, 'ValDt') : null;
    const svcrRef = str(e, 'AcctSvcrRef');
    const ntryRef = str(e, 'NtryRef');
    const reversal = str(e, 'RvslInd') === 'true';
    const code = txCode(get(e, 'BkTxCd'));
    const txs = list(get(e, 'NtryDtls')).flatMap((d) => list(get(d, 'TxDtls')));
    const split = splitAmounts(txs, amt);
    const parts = split
      ? txs.map((t, k) => ({ tx: t, minor: split[k]! }))
      : [{ tx: txs[0], minor: amt.minor }];
    for (const [k, { tx, minor }] of parts.entries()) {
      const baseKey = svcrRef ? `camt:svcr:${svcrRef}` : ntryRef ? `camt:ntry:${ntryRef}` : null;
      const e2e = str(tx, 'Refs', 'EndToEndId');
      const remittance = remittanceText(tx) ?? str(tx, 'AddtlTxInf') ?? str(e, 'AddtlNtryInf');
      const party = minor >= 0 ? 'Dbtr' : 'Cdtr';
      const name = str(tx, 'RltdPties', party, 'Nm') ?? str(tx, 'RltdPties', party, 'Pty', 'Nm');
      const acct =
        str(tx, 'RltdPties', `${party}Acct`, 'Id', 'IBAN') ??
        str(tx, 'RltdPties', `${party}Acct`, 'Id', 'Othr', 'Id');
      const dedupeKey = baseKey
        ? split
          ? `${baseKey}#${k + 1}`
          : baseKey
        : keys.next({
            date: bookingDate,
            amountMinor: minor,
            text: `${e2e ?? ''} ${remittance ?? ''} ${name ?? ''}`,
          });
      const prev = refs.get(dedupeKey);
      if (prev) throw reject(place, `AcctSvcrRef/NtryRef ${dedupeKey.slice(10)} already used by ${prev}`);
      refs.set(dedupeKey, place);
      lines.push({
        dedupeKey,
        accountNumber: other,
        iban,
        currency,
        bookingDate,
        valueDate,
        amountMinor: minor,
        counterpartyName: name,
        counterpartyAccount: acct,
        endToEndId: e2e && e2e !== 'NOTPROVIDED' ? e2e : null,
        remittance,
        checkNumber: str(tx, 'Refs', 'ChqNb'),
        bankReference: svcrRef ?? str(tx, 'Refs', 'AcctSvcrRef') ?? ntryRef,
        transactionCode:
          [code, reversal ? 'REVERSAL' : null, returnReason(tx)].filter((x): x is string => !!x).join(' ') ||
          null,
        raw: { entry: e, ...(split ? { txIndex: k } : {}) },
      });
    }
  }
  if (opening && closing) {
    if (opening.currency !== currency || closing.currency !== currency) {
      const bad = opening.currency !== currency ? opening : closing;
      mismatches.push({
        check: 'balance_currency',
        place: bad.place,
        message: `${bad.code} is in ${bad.currency} but the statement is in ${currency}`,
        currency,
        differenceMinor: null,
      });
    }
    const expected = opening.minor + booked;
    const diff = closing.minor - expected;
    if (diff !== 0)
      mismatches.push({
        check: 'closing_balance',
        place: closing.place,
        message:
          `${opening.code} ${formatMinor(opening.minor, currency)} + entries ${formatMinor(booked, currency)} = ` +
          `${formatMinor(expected, currency)}, but CLBD is ${formatMinor(closing.minor, closing.currency)} ${closing.currency}: ` +
          `off by ${formatMinor(diff, currency)} ${currency}`,
        currency,
        differenceMinor: diff,
      });
  }
  const from = get(s, 'FrToDt', 'FrDtTm');
  const to = get(s, 'FrToDt', 'ToDtTm');
  const dates = lines.map((l) => l.bookingDate).sort();
  return {
    accountNumber: other,
    iban,
    currency,
    statementRef: id,
    periodStart: dayOf(text(from)) ?? opening?.date ?? dates[0] ?? null,
    periodEnd: dayOf(text(to)) ?? closing?.date ?? dates[dates.length - 1] ?? null,
    openingBalanceMinor: opening?.minor ?? null,
    closingBalanceMinor: closing?.minor ?? null,
    lines,
    mismatches,
  };
}

const dayOf = (t: string | null) => {
  const m = t ? /^(\d{4})-(\d{2})-(\d{2})/.exec(t) : null;
  return m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
};

/** A returned payment's reason (RtrInf/Rsn/Cd, e.g. MD06): "RETURN MD06". */
function returnReason(tx: unknown): string | null {
  const r = str(tx, 'RtrInf', 'Rsn', 'Cd') ?? str(tx, 'RtrInf', 'Rsn', 'Prtry');
  return r ? `RETURN ${r}` : null;
}

function txCode(b: unknown): string | null {
  const d = str(b, 'Domn', 'Cd');
  if (d)
    return [d, str(b, 'Domn', 'Fmly', 'Cd'), str(b, 'Domn', 'Fmly', 'SubFmlyCd')].filter(Boolean).join('/');
  return str(b, 'Prtry', 'Cd');
}

function remittanceText(tx: unknown): string | null {
  const r = get(tx, 'RmtInf');
  const parts = list(get(r, 'Ustrd')).map(text);
  for (const s of list(get(r, 'Strd'))) {
    parts.push(str(s, 'CdtrRefInf', 'Ref'));
    for (const d of list(get(s, 'RfrdDocInf'))) parts.push(str(d, 'Nb'));
    for (const a of list(get(s, 'AddtlRmtInf'))) parts.push(text(a));
  }
  const t = parts.filter((p): p is string => !!p).join(' ');
  return t || null;
}

/** Several TxDtls each carrying an amount in the entry's currency that add up to it: one line each. */
function splitAmounts(txs: unknown[], entry: Amt): number[] | null {
  if (txs.length < 2) return null;
  const out: number[] = [];
  for (const t of txs) {
    const a = get(t, 'AmtDtls', 'TxAmt') ?? t;
    const amt = get(a, 'Amt');
    const cur = isObj(amt) ? amt['@_Ccy'] : null;
    const raw = text(amt);
    if (!raw || cur !== entry.currency) return null;
    const v = parseAmountText(raw, entry.currency);
    if (v === null) return null;
    const ind = str(t, 'CdtDbtInd');
    const sign = ind ? (ind === 'DBIT' ? -1 : 1) : Math.sign(entry.minor) || 1;
    out.push(sign * v);
  }
  return out.reduce((a, b) => a + b, 0) === entry.minor ? out : null;
}
