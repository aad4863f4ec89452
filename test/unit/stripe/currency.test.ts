import { describe, expect, it } from 'vitest';
import {
  fromStripeAmount,
  StripeAmountError,
  stripeDecimals,
  toStripeAmount,
} from '../../../src/connectors/stripe/currency.js';

describe('Stripe amounts at the connector edge', () => {
  it('passes two-, zero- and three-decimal currencies through where Stripe agrees with ISO 4217', () => {
    expect(fromStripeAmount(1099, 'usd')).toBe(1099);
    expect(fromStripeAmount(15000, 'jpy')).toBe(15000);
    expect(fromStripeAmount(5120, 'kwd')).toBe(5120);
    expect(fromStripeAmount(10000, 'huf')).toBe(10000);
    expect(fromStripeAmount(10000, 'twd')).toBe(10000);
  });

  it('divides ISK and UGX by 100: Stripe keeps them two-decimal, ISO has none', () => {
    expect(stripeDecimals('isk')).toBe(2);
    expect(fromStripeAmount(500, 'isk')).toBe(5);
    expect(fromStripeAmount(1_250_000, 'ugx')).toBe(12_500);
    expect(toStripeAmount(5, 'ISK')).toBe(500);
  });

  it('refuses a fractional ISK amount instead of rounding it away', () => {
    expect(() => fromStripeAmount(4010, 'isk')).toThrow(StripeAmountError);
  });

  it('multiplies MGA by 100: zero-decimal in Stripe, two in ISO', () => {
    expect(fromStripeAmount(5000, 'mga')).toBe(500000);
    expect(toStripeAmount(500000, 'MGA')).toBe(5000);
  });

  it('round-trips every kind of currency', () => {
    for (const [amount, cur] of [
      [123456, 'eur'],
      [777, 'jpy'],
      [1230, 'bhd'],
      [300, 'isk'],
      [42, 'mga'],
    ] as const) {
      expect(toStripeAmount(fromStripeAmount(amount, cur), cur)).toBe(amount);
    }
  });
});
