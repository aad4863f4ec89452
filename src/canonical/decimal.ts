import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { exponent, type RoundingMode } from './money.js';

/**
 * Quantities, rates, 4-decimal unit prices and FX rates stay exact as decimal strings. Arithmetic goes
 * through decimal.js; the only conversion to money is `lineAmountMinor` / `convertMinor` here, which round
 * with a named mode.
 */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

export const DecimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal such as 12.5 or 0.0825');
export type DecimalString = z.infer<typeof DecimalString>;

const MODE: Record<RoundingMode, Decimal.Rounding> = {
  half_even: Decimal.ROUND_HALF_EVEN,
  half_up: Decimal.ROUND_HALF_UP,
  down: Decimal.ROUND_DOWN,
};

/** A provider's number or string to a canonical decimal string ("1.0" → "1", 1e-7 → "0.0000001"). */
export function toDecimalString(value: string | number): DecimalString {
  const d = new D(typeof value === 'number' ? String(value) : value.trim());
  if (!d.isFinite()) throw new Error(`"${value}" is not a decimal number`);
  return d.toFixed();
}

/** quantity × unit price, in minor units of `currency`, rounded once with `mode`. */
export function lineAmountMinor(
  quantity: DecimalString,
  unitPrice: DecimalString,
  currency: string,
  mode: RoundingMode = 'half_up',
): number {
  const v = new D(quantity).times(unitPrice).times(new D(10).pow(exponent(currency)));
  return v.toDecimalPlaces(0, MODE[mode]).toNumber();
}

/**
 * Convert an amount to another currency: `amountMinor` of `from` times `rate` (units of `to` per unit of
 * `from`), rounded once.
 */
export function convertMinor(
  amountMinor: number,
  from: string,
  rate: DecimalString,
  to: string,
  mode: RoundingMode = 'half_up',
): number {
  const v = new D(amountMinor).times(rate).times(new D(10).pow(exponent(to) - exponent(from)));
  return v.toDecimalPlaces(0, MODE[mode]).toNumber();
}

/** Divide (base per foreign from foreign per base, and the like) to `dp` places. */
export function invertRate(rate: DecimalString, dp = 10): DecimalString {
  return new D(1).div(rate).toDecimalPlaces(dp, Decimal.ROUND_HALF_EVEN).toFixed();
}

export function decimalEquals(a: DecimalString, b: DecimalString): boolean {
  return new D(a).equals(b);
}

export function multiplyDecimal(a: DecimalString, b: DecimalString): DecimalString {
  return new D(a).times(b).toFixed();
}
