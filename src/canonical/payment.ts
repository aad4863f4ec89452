import { z } from 'zod';
import { ExternalId } from './common.js';
import { IsoDate } from './dates.js';
import { DecimalString } from './decimal.js';
import { CurrencyCode, MinorUnits } from './money.js';

/**
 * A payment recorded in the books. `kind` says what it pays: an invoice, or the refund of an overpayment,
 * prepayment or credit note (money going back out, not a receipt against an invoice).
 */
export const PaymentKind = z.enum([
  'invoice_payment',
  'overpayment_refund',
  'prepayment_refund',
  'credit_note_refund',
  'bill_payment',
]);
export type PaymentKind = z.infer<typeof PaymentKind>;

export const Payment = z.object({
  externalId: ExternalId,
  kind: PaymentKind,
  /** `deleted` means reversed: what it applied comes back. */
  status: z.enum(['authorised', 'deleted', 'voided']),
  date: IsoDate,
  amountMinor: MinorUnits,
  currency: CurrencyCode,
  currencyRate: DecimalString,
  bankAmountMinor: MinorUnits.nullable(),
  reference: z.string().nullable(),
  /** The bank (ledger) account it was paid into. */
  bankLedgerAccountExternalId: z.string().nullable(),
  contactExternalId: z.string().nullable(),
  invoiceExternalId: z.string().nullable(),
  creditNoteExternalId: z.string().nullable(),
  /** The overpayment or prepayment it refunds. */
  prepaymentExternalId: z.string().nullable(),
  isReconciled: z.boolean(),
});
export type Payment = z.infer<typeof Payment>;
