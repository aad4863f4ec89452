import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exponent,
  formatMinor,
  formatUnits,
  MoneyParseError,
  numberToMinor,
  parseDecimalToMinor,
  roundQuotient,
  toMinor,
} from '../../../src/canonical/money.js';

describe('the exponent table', () => {
  it('knows zero-, two- and three-decimal currencies', () => {
    expect(exponent('JPY')).toBe(0);
    expect(exponent('USD')).toBe(2);
    expect(exponent('KWD')).toBe(3);
    expect(exponent('NZD')).toBe(2);
  });
});

describe('decimal text to minor units', () => {
  it('turns 1141.39 into exactly 114139', () => {
    expect(toMinor('1141.39', 'USD')).toBe(114139);
    expect(toMinor(1141.39, 'USD')).toBe(114139);
    expect(1141.39 * 100).not.toBe(114139); // the float way is wrong, which is why we never use it
  });

  it('reads signs, missing integer parts and trailing zeros', () => {
    expect(toMinor('-0.5', 'USD')).toBe(-50);
    expect(toMinor('.07', 'USD')).toBe(7);
    expect(toMinor('12.500', 'USD')).toBe(1250);
    expect(toMinor('1000', 'JPY')).toBe(1000);
    expect(toMinor('1.234', 'KWD')).toBe(1234);
    expect(toMinor('-0.00', 'USD')).toBe(0);
  });

  it('refuses what is not an amount, and extra decimals unless asked to round', () => {
    expect(() => toMinor('12,50', 'USD')).toThrow(MoneyParseError);
    expect(() => toMinor('abc', 'USD')).toThrow(/not a decimal/);
    expect(() => toMinor('1e3', 'USD')).toThrow(MoneyParseError);
    expect(() => toMinor('1.005', 'USD')).toThrow(/more than 2 decimal/);
    expect(toMinor('1.005', 'USD', 'half_even')).toBe(100);
    expect(toMinor('1.015', 'USD', 'half_even')).toBe(102);
    expect(toMinor('1.005', 'USD', 'half_up')).toBe(101);
    expect(toMinor('-1.005', 'USD', 'half_up')).toBe(-101);
    expect(toMinor('1.009', 'USD', 'down')).toBe(100);
  });

  it('expands exponent notation of small and large JSON numbers exactly', () => {
    expect(numberToMinor(1e-7, 8)).toBe(10);
    expect(numberToMinor(1.5e-5, 6)).toBe(15);
    expect(() => numberToMinor(1e21, 0)).toThrow(/too large/);
  });

  it('is exact for every 2-decimal value and inverse to formatting (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -9_007_199_254_740, max: 9_007_199_254_740 }), (units) => {
        const text = formatUnits(units, 2);
        expect(parseDecimalToMinor(text, 2)).toBe(units);
        expect(formatMinor(parseDecimalToMinor(text, 2), 'USD')).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });

  it('is exact for every 3-decimal value and inverse to formatting (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -9_007_199_254_740, max: 9_007_199_254_740 }), (units) => {
        const text = formatUnits(units, 3);
        expect(parseDecimalToMinor(text, 3)).toBe(units);
        expect(formatMinor(parseDecimalToMinor(text, 3), 'KWD')).toBe(text);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads a provider JSON number of any 2-decimal value exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -99_999_999_999, max: 99_999_999_999 }), (units) => {
        const asJsonNumber = JSON.parse(formatUnits(units, 2)) as number;
        expect(numberToMinor(asJsonNumber, 2)).toBe(units);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('the one rounding function', () => {
  it('names its modes', () => {
    expect(roundQuotient(5n, 2n, 'half_even')).toBe(2n);
    expect(roundQuotient(7n, 2n, 'half_even')).toBe(4n);
    expect(roundQuotient(5n, 2n, 'half_up')).toBe(3n);
    expect(roundQuotient(-5n, 2n, 'half_up')).toBe(-3n);
    expect(roundQuotient(-7n, 2n, 'down')).toBe(-3n);
    expect(roundQuotient(10n, 3n, 'half_up')).toBe(3n);
  });
});
