import { exponent } from '../../canonical/money.js';

/**
 * Stripe amounts are integers in what Stripe calls the currency's smallest unit, which is not always
 * ISO 4217's minor unit (https://docs.stripe.com/currencies). This is the one place that knows the
 * difference; everything past the connector is ISO minor units.
 *
 * - Zero-decimal in Stripe: BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF.
 *   ISO agrees for all but MGA (ISO 2): a Stripe MGA amount is whole ariary.
 * - Three-decimal: BHD JOD KWD OMR TND — as ISO (Stripe asks that the last digit be 0 on charges).
 * - Special cases:
 *   ISK: ISO 0, but Stripe keeps it two-decimal for backwards compatibility (100 = 1 króna; amounts are
 *        multiples of 100 since April 2023).
 *   UGX: ISO 0; listed as zero-decimal for payments, but Stripe likewise takes and reports it with two
 *        decimals for backwards compatibility in its special cases (amounts in multiples of 100).
 *   HUF, TWD: two-decimal in the API as in ISO, but zero-decimal for payouts: payout amounts are
 *        multiples of 100. No conversion, only that constraint.
 */
const STRIPE_DECIMALS: Readonly<Record<string, number>> = {
  MGA: 0,
  ISK: 2,
  UGX: 2,
};

/** Currencies whose payout amounts must be whole units (multiples of 100 in the API). */
export const WHOLE_UNIT_PAYOUT_CURRENCIES: ReadonlySet<string> = new Set(['HUF', 'TWD', 'ISK', 'UGX']);

export class StripeAmountError extends Error {
  constructor(
    readonly amount: number,
    readonly currency: string,
  ) {
    super(`Stripe amount ${amount} ${currency} is not a whole number of ISO ${currency} minor units`);
    this.name = 'StripeAmountError';
  }
}

/** Stripe's lower-case code → ISO upper case. */
export const isoCurrency = (stripeCurrency: string): string => stripeCurrency.toUpperCase();

/** How many decimals Stripe's integer amounts carry for a currency. */
export function stripeDecimals(currency: string): number {
  const iso = isoCurrency(currency);
  return STRIPE_DECIMALS[iso] ?? exponent(iso);
}

/** A Stripe amount (its smallest unit) → ISO minor units, exactly (or a StripeAmountError). */
export function fromStripeAmount(amount: number, currency: string): number {
  if (!Number.isSafeInteger(amount)) throw new StripeAmountError(amount, currency);
  const iso = isoCurrency(currency);
  const diff = stripeDecimals(iso) - exponent(iso);
  if (diff === 0) return amount;
  if (diff < 0) return amount * 10 ** -diff;
  const scale = 10 ** diff;
  if (amount % scale !== 0) throw new StripeAmountError(amount, currency);
  return amount / scale;
}

/** ISO minor units → the Stripe amount (for writes and for msw handlers in tests). */
export function toStripeAmount(minorUnits: number, currency: string): number {
  const iso = isoCurrency(currency);
  const diff = stripeDecimals(iso) - exponent(iso);
  if (diff >= 0) return minorUnits * 10 ** diff;
  const scale = 10 ** -diff;
  if (minorUnits % scale !== 0) throw new StripeAmountError(minorUnits, currency);
  return minorUnits / scale;
}
