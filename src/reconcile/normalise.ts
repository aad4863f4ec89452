/**
 * Text normalisation for matching: invoice numbers and references found in free text (remittance,
 * counterparty, bank reference, end-to-end id), and payer names. Pure functions, no I/O.
 */

/** Accents dropped, so "Zoë" and "ZOE" are one word; the text keeps its length and order. */
const plain = (text: string): string => text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');

/** Upper-cased alphanumeric runs of a text: "Pay inv-0042, thanks" → ["PAY", "INV", "0042", "THANKS"]. */
export function tokensOf(text: string | null | undefined): string[] {
  if (!text) return [];
  return (
    plain(text)
      .toUpperCase()
      .match(/[A-Z0-9]+/g) ?? []
  );
}

/** The alphanumeric runs of a text with where each starts and ends in the (accent-free) text. */
function spansOf(text: string): { start: number; end: number }[] {
  return [
    ...plain(text)
      .toUpperCase()
      .matchAll(/[A-Z0-9]+/g),
  ].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** Words that stand for "invoice" in a reference: "Invoice 10" and "INV-0010" are the same key. */
const INVOICE_WORDS = new Set(['INVOICE', 'INVOICES', 'INVC', 'INV']);

/** Reference tokens: the invoice words spelled one way, so "Invoice 10" meets "INV-0010". */
function referenceTokens(text: string | null | undefined): string[] {
  return tokensOf(text).map((t) => (INVOICE_WORDS.has(t) ? 'INV' : t.replace(/^INVOICE(?=\d)/, 'INV')));
}

/** Strip leading zeros of every digit run of a token: "INV0042" → "INV42", "000" → "0". */
function stripLeadingZeros(s: string): string {
  return s.replace(/\d+/g, (d) => d.replace(/^0+(?=\d)/, ''));
}

/**
 * The matching key of an invoice number or reference: case, punctuation, spaces and leading zeros
 * dropped. "INV-0042", "inv 0042" and "INV42" share the key "INV42". Null when nothing is left.
 */
export function referenceKey(value: string | null | undefined): string | null {
  const joined = referenceTokens(value).map(stripLeadingZeros).join('');
  return joined || null;
}

/** A key worth searching for: it holds a digit and is at least 2 characters ("A" or "PAID" is not). */
export function isSearchableKey(key: string): boolean {
  return key.length >= 2 && /\d/.test(key);
}

/** Up to this many consecutive tokens are joined when looking for a key ("INV" + "0042"). */
const MAX_WINDOW = 4;

/**
 * Every key a text can spell with 1…4 consecutive tokens, mapped to the text it came from. Keys never
 * straddle a token boundary halfway, so "INV-00421" never contains "INV42".
 */
export function keysInText(text: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  const source = plain(text);
  const spans = spansOf(text);
  const tokens = referenceTokens(text).map(stripLeadingZeros);
  for (let i = 0; i < tokens.length; i++) {
    let joined = '';
    for (let j = i; j < Math.min(tokens.length, i + MAX_WINDOW); j++) {
      joined += tokens[j];
      // shown as written: "inv 0042", "INV-0042"
      if (!out.has(joined)) out.set(joined, source.slice(spans[i]!.start, spans[j]!.end));
    }
  }
  return out;
}

/** Words that say what kind of company it is, not which one. */
const LEGAL_WORDS = new Set([
  'THE',
  'AND',
  'LTD',
  'LIMITED',
  'LLC',
  'LLP',
  'LP',
  'INC',
  'INCORPORATED',
  'CORP',
  'CORPORATION',
  'CO',
  'COMPANY',
  'PTY',
  'PLC',
  'GMBH',
  'AG',
  'SA',
  'BV',
  'NV',
  'PC',
  'PLLC',
]);

/**
 * A payer name's key: upper case, accents, punctuation, "&" and legal-form words dropped.
 * "Acme Ltd." and "ACME LIMITED" share the key "ACME"; null when nothing distinctive is left.
 */
export function nameKey(name: string | null | undefined): string | null {
  if (!name) return null;
  const words = tokensOf(name.replace(/&/g, ' and ')).filter((w) => !LEGAL_WORDS.has(w));
  return words.length ? words.join(' ') : null;
}

/** A text's distinctive words, space-delimited, for `textHasName` (computed once per text). */
export function nameWords(text: string | null | undefined): string {
  const words = tokensOf(text?.replace(/&/g, ' and ')).filter((w) => !LEGAL_WORDS.has(w));
  return ` ${words.join(' ')} `;
}

/** Does the text spell the name's key as consecutive words? ("Payment from ACME LTD INV 42" has "ACME"). */
export function textHasName(text: string | null | undefined, key: string): boolean {
  return nameWords(text).includes(` ${key} `);
}

/** An account number's key: digits and letters only, upper case ("12-3456-789" → "123456789"). */
export function accountKey(value: string | null | undefined): string | null {
  const joined = tokensOf(value).join('');
  return joined.length >= 4 ? joined : null;
}
