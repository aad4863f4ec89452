import { z } from 'zod';

/**
 * Money: integer minor units plus an ISO 4217 currency. One exponent table, one rounding function.
 * Never a float: decimal text is parsed digit by digit.
 */

/** ISO 4217 exponents that are not 2. Every other well-formed code has 2. */
const EXPONENTS: Readonly<Record<string, 0 | 2 | 3 | 4>> = {
  // zero-decimal
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  // three-decimal
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  // four-decimal
  CLF: 4,
  UYW: 4,
};

export const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD');
export type CurrencyCode = z.infer<typeof CurrencyCode>;

export function exponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

export const MinorUnits = z.number().int().refine(Number.isSafeInteger, 'must be a safe integer');

export const Money = z.object({ amountMinor: MinorUnits, currency: CurrencyCode });
export type Money = z.infer<typeof Money>;

export class MoneyParseError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`"${input}" is not an amount: ${reason}`);
    this.name = 'MoneyParseError';
  }
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d*))?$|^([+-])?\.(\d+)$/;

/**
 * Parse decimal text ("1141.39", "-0.5", "1e3" is refused) into minor units of `exp` decimals.
 * More decimals than the currency has are an error unless they are zeros, or `rounding` is given.
 */
export function parseDecimalToMinor(text: string, exp: number, rounding?: RoundingMode): number {
  const t = text.trim();
  const m = DECIMAL.exec(t);
  if (!m) throw new MoneyParseError(text, 'not a decimal number');
  const sign = (m[1] ?? m[4]) === '-' ? -1n : 1n;
  const intPart = m[2] ?? '0';
  let frac = m[3] ?? m[5] ?? '';
  let extra = '';
  if (frac.length > exp) {
    extra = frac.slice(exp);
    frac = frac.slice(0, exp);
  }
  let units = BigInt(intPart + frac.padEnd(exp, '0'));
  if (/[1-9]/.test(extra)) {
    if (!rounding) throw new MoneyParseError(text, `more than ${exp} decimal places`);
    const scale = 10n ** BigInt(extra.length);
    units = roundQuotient(units * scale + BigInt(extra), scale, rounding);
  }
  const value = Number(sign * units);
  if (!Number.isSafeInteger(value)) throw new MoneyParseError(text, 'too large');
  return value === 0 ? 0 : value;
}

/** A JSON number from a provider ("1141.39" as a number) goes through its shortest text form. */
export function numberToMinor(n: number, exp: number, rounding?: RoundingMode): number {
  if (!Number.isFinite(n)) throw new MoneyParseError(String(n), 'not a finite number');
  // Number#toString gives the shortest round-tripping decimal; expand exponent notation exactly.
  return parseDecimalToMinor(expandExponent(String(n)), exp, rounding);
}

export function toMinor(value: string | number, currency: string, rounding?: RoundingMode): number {
  const exp = exponent(currency);
  return typeof value === 'number'
    ? numberToMinor(value, exp, rounding)
    : parseDecimalToMinor(value, exp, rounding);
}

/** Minor units back to decimal text with exactly the currency's decimals: 114139 USD → "1141.39". */
export function formatMinor(amountMinor: number, currency: string): string {
  return formatUnits(amountMinor, exponent(currency));
}

export function formatUnits(amountMinor: number, exp: number): string {
  const neg = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exp + 1, '0');
  const body = exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
  return neg ? `-${body}` : body;
}

export const money = (amountMinor: number, currency: string): Money => ({ amountMinor, currency });

export function formatMoney(m: Money): string {
  return `${formatMinor(m.amountMinor, m.currency)} ${m.currency}`;
}

export type RoundingMode = 'half_even' | 'half_up' | 'down';

/**
 * The one rounding function: numerator / denominator (bigints, denominator > 0) to an integer, with the
 * mode named. Modes act on the magnitude: half_up rounds halves away from zero, half_even to the even
 * neighbour (banker's), down truncates toward zero.
 */
export function roundQuotient(num: bigint, den: bigint, mode: RoundingMode): bigint {
  if (den <= 0n) throw new RangeError('denominator must be positive');
  const neg = num < 0n;
  const n = neg ? -num : num;
  const q = n / den;
  const r = n % den;
  let out = q;
  if (mode !== 'down' && r !== 0n) {
    const twice = r * 2n;
    if (twice > den) out = q + 1n;
    else if (twice === den) out = mode === 'half_up' || q % 2n === 1n ? q + 1n : q;
  }
  return neg ? -out : out;
}

function expandExponent(s: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(s);
  if (!m) return s;
  const [, sign, i = '', f = '', e = '0'] = m;
  const digits = i + f;
  const point = i.length + Number(e);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

export function sumMinor(values: readonly number[]): number {
  let t = 0;
  for (const v of values) t += v;
  if (!Number.isSafeInteger(t)) throw new RangeError('sum overflows safe integers');
  return t;
}
