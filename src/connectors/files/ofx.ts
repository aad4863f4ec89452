import type { BankLine } from '../../canonical/bank-line.js';
import { formatMinor, isoDate, parseAmountText } from './amounts.js';
import { fileRejected, type Mismatch, type ParsedFile, type ParsedStatement } from './types.js';

/**
 * OFX 1.x (SGML: leaf elements need no end tag) and 2.x (XML), and QFX (OFX with Intuit's INTU.* tags).
 * One small tokenizer serves both: a leaf is an element followed by text; aggregates must be closed.
 */

interface Node {
  name: string;
  line: number;
  text: string | null;
  children: Node[];
}

const reject = (place: string, reason: string) => fileRejected('ofx', place, reason);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(
        e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
      );
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function tree(text: string, start: number): Node {
  const root: Node = { name: '#root', line: 0, text: null, children: [] };
  const stack: Node[] = [root];
  let line = 1 + countNewlines(text, 0, start);
  let pos = start;
  const top = () => stack[stack.length - 1]!;
  const closeLeaf = () => {
    const t = top();
    if (stack.length > 1 && t.children.length === 0) stack.pop();
  };
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunkEnd = lt === -1 ? text.length : lt;
    if (chunkEnd > pos) {
      const raw = text.slice(pos, chunkEnd);
      const value = raw.trim();
      if (value) {
        const t = top();
        if (stack.length === 1)
          throw reject(`line ${line}`, `text "${value.slice(0, 30)}" outside any element`);
        if (t.children.length > 0)
          throw reject(`line ${line}`, `text "${value.slice(0, 30)}" inside aggregate <${t.name}>`);
        t.text = decodeEntities(value);
      }
      line += countNewlines(raw, 0, raw.length);
      pos = chunkEnd;
      continue;
    }
    const gt = text.indexOf('>', lt);
    if (gt === -1) throw reject(`line ${line}`, 'the file ends inside a tag (truncated?)');
    const tag = text.slice(lt + 1, gt);
    const tagLine = line;
    line += countNewlines(tag, 0, tag.length);
    pos = gt + 1;
    if (tag.startsWith('?') || tag.startsWith('!')) continue; // processing instruction, comment
    const m = /^(\/?)([A-Za-z][A-Za-z0-9_.]*)\s*(\/?)$/.exec(tag.trim());
    if (!m) throw reject(`line ${tagLine}`, `malformed tag <${tag.slice(0, 30)}>`);
    const [, slash, rawName = '', selfClose] = m;
    const name = rawName.toUpperCase();
    if (!slash) {
      // an open tag ends a pending SGML leaf (an element with text and no end tag)
      const t = top();
      if (t.text !== null) stack.pop();
      const node: Node = { name, line: tagLine, text: null, children: [] };
      top().children.push(node);
      if (!selfClose) stack.push(node);
      continue;
    }
    // an end tag: close a pending leaf of another name, then the element itself
    let t = top();
    if (t.name !== name && t.text !== null) {
      stack.pop();
      t = top();
    }
    if (t.name !== name && t.children.length === 0 && stack.length > 1) {
      // an empty SGML leaf such as <MEMO> with no value
      stack.pop();
      t = top();
    }
    if (t.name !== name) {
      const open =
        stack.length > 1 ? `<${t.name}> opened at line ${t.line} is not closed` : 'nothing is open';
      throw reject(`line ${tagLine}`, `</${name}> does not match: ${open}`);
    }
    stack.pop();
  }
  if (top().text !== null) closeLeaf();
  if (stack.length > 1) {
    const t = top();
    throw reject(`line ${line}`, `the file ends inside <${t.name}> opened at line ${t.line} (truncated?)`);
  }
  return root;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

const child = (n: Node | undefined, name: string): Node | undefined =>
  n?.children.find((c) => c.name === name);
const childText = (n: Node | undefined, name: string): string | null => {
  const t = child(n, name)?.text;
  return t === undefined || t === null || t === '' ? null : t;
};
function findAll(n: Node, names: readonly string[], out: Node[] = []): Node[] {
  for (const c of n.children) {
    if (names.includes(c.name)) out.push(c);
    else findAll(c, names, out);
  }
  return out;
}

/** OFX datetime YYYYMMDD[HHMMSS[.XXX]][[±h:TZ]] → the calendar day as written by the bank. */
function ofxDate(s: string | null, place: string, what: string): string {
  if (!s) throw reject(place, `${what} is missing`);
  const m =
    /^(\d{4})(\d{2})(\d{2})(?:\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,3})?)?)?)?\s*(?:\[[+-]?\d+(?:\.\d+)?(?::[A-Za-z]+)?\])?$/.exec(
      s.trim(),
    );
  const d = m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  if (!d) throw reject(place, `${what} "${s}" is not an OFX date`);
  return d;
}

function amount(s: string | null, currency: string, place: string, what: string): number {
  if (!s) throw reject(place, `${what} is missing`);
  // OFX allows a comma as the decimal point
  const v = parseAmountText(s, currency, s.includes(',') && !s.includes('.') ? ',' : '.');
  if (v === null) throw reject(place, `${what} "${s}" is not an amount`);
  return v;
}

export function looksLikeOfx(text: string): boolean {
  const head = text.slice(0, 2000);
  return /OFXHEADER\s*[:=]/i.test(head) || /<OFX>/i.test(head);
}

export function parseOfx(text: string): ParsedFile {
  const start = text.search(/<OFX>/i);
  if (start === -1) throw reject('header', 'no <OFX> element');
  const header = text.slice(0, start);
  const version =
    (/<\?OFX[^>]*\bVERSION="(\d+)"/i.exec(header) ?? /^\s*VERSION:\s*(\d+)/im.exec(header))?.[1] ?? null;
  const root = tree(text, start);
  const ofx = child(root, 'OFX');
  if (!ofx) throw reject('line 1', 'no <OFX> element');
  for (const trnrs of findAll(ofx, ['STMTTRNRS', 'CCSTMTTRNRS'])) {
    const status = child(trnrs, 'STATUS');
    const code = childText(status, 'CODE');
    if (code && code !== '0' && !child(trnrs, 'STMTRS') && !child(trnrs, 'CCSTMTRS'))
      throw reject(
        `<${trnrs.name}> at line ${trnrs.line}`,
        `the bank answered status ${code}${childText(status, 'MESSAGE') ? ` (${childText(status, 'MESSAGE')})` : ''} instead of a statement`,
      );
  }
  const stmts = findAll(ofx, ['STMTRS', 'CCSTMTRS']);
  if (stmts.length === 0)
    throw reject(`line ${ofx.line}`, 'no bank or credit-card statement (<STMTRS>/<CCSTMTRS>)');
  return { format: 'ofx', version, statements: stmts.map(statement) };
}

function statement(s: Node): ParsedStatement {
  const at = `<${s.name}> at line ${s.line}`;
  const currency = (childText(s, 'CURDEF') ?? '').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw reject(at, `CURDEF "${currency}" is not a currency code`);
  const acct = child(s, 'BANKACCTFROM') ?? child(s, 'CCACCTFROM');
  const accountNumber = childText(acct, 'ACCTID');
  if (!accountNumber) throw reject(at, 'the account (BANKACCTFROM/ACCTID) is missing');
  const list = child(s, 'BANKTRANLIST');
  const mismatches: Mismatch[] = [];
  let periodStart: string | null = null;
  let periodEnd: string | null = null;
  const lines: BankLine[] = [];
  if (list) {
    const lat = `<BANKTRANLIST> at line ${list.line}`;
    periodStart = ofxDate(childText(list, 'DTSTART'), lat, 'DTSTART');
    periodEnd = ofxDate(childText(list, 'DTEND'), lat, 'DTEND');
    if (periodStart > periodEnd) throw reject(lat, `DTSTART ${periodStart} is after DTEND ${periodEnd}`);
    const fitids = new Map<string, number>();
    for (const t of list.children.filter((c) => c.name === 'STMTTRN')) {
      const place = `<STMTTRN> at line ${t.line}`;
      const fitid = childText(t, 'FITID');
      if (!fitid) throw reject(place, 'FITID is missing');
      const dup = fitids.get(fitid);
      if (dup !== undefined) throw reject(place, `FITID ${fitid} already used by <STMTTRN> at line ${dup}`);
      fitids.set(fitid, t.line);
      const bookingDate = ofxDate(childText(t, 'DTPOSTED'), place, 'DTPOSTED');
      const dtAvail = childText(t, 'DTAVAIL');
      const amountMinor = amount(childText(t, 'TRNAMT'), currency, place, 'TRNAMT');
      if (bookingDate < periodStart || bookingDate > periodEnd)
        mismatches.push({
          check: 'date_range',
          place,
          message: `DTPOSTED ${bookingDate} is outside the statement's range ${periodStart}..${periodEnd}`,
          currency,
          differenceMinor: null,
        });
      const check = childText(t, 'CHECKNUM');
      const raw: Record<string, string> = {};
      for (const c of t.children) if (c.text !== null) raw[c.name] = c.text;
      for (const c of t.children)
        if (c.children.length)
          for (const g of c.children) if (g.text !== null) raw[`${c.name}.${g.name}`] = g.text;
      lines.push({
        dedupeKey: `fitid:${fitid}`,
        accountNumber,
        iban: null,
        currency,
        bookingDate,
        valueDate: dtAvail ? ofxDate(dtAvail, place, 'DTAVAIL') : null,
        amountMinor,
        counterpartyName: childText(t, 'NAME') ?? childText(child(t, 'PAYEE'), 'NAME'),
        counterpartyAccount:
          childText(child(t, 'BANKACCTTO'), 'ACCTID') ?? childText(child(t, 'CCACCTTO'), 'ACCTID'),
        endToEndId: null,
        remittance: childText(t, 'MEMO'),
        checkNumber: check && !/^0+$/.test(check) ? check : null,
        bankReference: childText(t, 'REFNUM') ?? fitid,
        transactionCode: childText(t, 'TRNTYPE'),
        raw,
      });
    }
  }
  const ledger = child(s, 'LEDGERBAL');
  const closingBalanceMinor = ledger
    ? amount(childText(ledger, 'BALAMT'), currency, `<LEDGERBAL> at line ${ledger.line}`, 'BALAMT')
    : null;
  return {
    accountNumber,
    iban: null,
    currency,
    statementRef: null,
    periodStart,
    periodEnd,
    openingBalanceMinor: null,
    closingBalanceMinor,
    lines,
    mismatches,
  };
}

export const describeMinor = (v: number, currency: string) => `${formatMinor(v, currency)} ${currency}`;
