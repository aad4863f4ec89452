import { exponent, MoneyParseError, parseDecimalToMinor } from '../../canonical/money.js';

/**
 * Statement amount text to minor units. `decimal` says which separator marks decimals; the other one
 * (thousands) is dropped. Currency symbols and spaces are dropped; "(12.00)" and a trailing "-" are negative.
 * Returns null when the text is not an amount.
 */
export function parseAmountText(text: string, currency: string, decimal: '.' | ',' = '.'): number | null {
  let t = text.trim().replace(/[\s\u00a0'$€£¥]/g, '');
  if (!t) return null;
  let neg = false;
  if (/^\(.*\)$/.test(t)) {
    neg = true;
    t = t.slice(1, -1);
  }
  if (t.endsWith('-')) {
    neg = !neg;
    t = t.slice(0, -1);
  }
  if (t.startsWith('-')) {
    neg = !neg;
    t = t.slice(1);
  } else if (t.startsWith('+')) t = t.slice(1);
  t = t.replace(/^[A-Z]{3}/, '');
  const thousands = decimal === '.' ? ',' : '.';
  t = t.split(thousands).join('');
  if (decimal === ',') t = t.replace(',', '.');
  if (!/^\d*\.?\d*$/.test(t) || !/\d/.test(t)) return null;
  if (t.endsWith('.')) t = t.slice(0, -1);
  try {
    const v = parseDecimalToMinor(t, exponent(currency));
    return neg && v !== 0 ? -v : v;
  } catch (e) {
    if (e instanceof MoneyParseError) return null;
    throw e;
  }
}

/** A calendar date, or null when y-m-d is not a real day. */
export function isoDate(y: number, m: number, d: number): string | null {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return null;
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2200) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Money text for a message: 1234 USD → "12.34 USD". */
export { formatMinor } from '../../canonical/money.js';
