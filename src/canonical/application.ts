import { z } from 'zod';
import { IsoDate } from './dates.js';
import { CurrencyCode, MinorUnits } from './money.js';

/**
 * An allocation of money to an invoice: a payment, a credit note, an overpayment or prepayment
 * allocation, or a bank line / Stripe charge applied by ledgerbridge's cash application. An invoice's open
 * balance is its total less its active applications; it is never stored twice.
 */
export const ApplicationSource = z.enum([
  'payment',
  'credit_note',
  'overpayment',
  'prepayment',
  'bank_line',
  'stripe_charge',
  'write_off',
]);
export type ApplicationSource = z.infer<typeof ApplicationSource>;

export const Application = z.object({
  /** Stable key of the allocation at its source (e.g. `payment:<id>`, `credit_note:<id>:<invoice>:<n>`). */
  key: z.string().min(1),
  source: ApplicationSource,
  sourceExternalId: z.string().nullable(),
  invoiceExternalId: z.string().min(1),
  date: IsoDate,
  amountMinor: MinorUnits,
  currency: CurrencyCode,
  status: z.enum(['active', 'reversed']),
});
export type Application = z.infer<typeof Application>;
