import { z } from 'zod';
import { IsoDate } from './dates.js';
import { CurrencyCode, MinorUnits } from './money.js';

/** A line of a bank statement (file, feed or Stripe payout): signed, positive is money in. */
export const BankLine = z.object({
  /** Stable per account: OFX FITID, CAMT AcctSvcrRef, or a synthetic key. */
  dedupeKey: z.string().min(1),
  accountNumber: z.string().nullable(),
  iban: z.string().nullable(),
  currency: CurrencyCode,
  bookingDate: IsoDate,
  valueDate: IsoDate.nullable(),
  amountMinor: MinorUnits,
  counterpartyName: z.string().nullable(),
  counterpartyAccount: z.string().nullable(),
  endToEndId: z.string().nullable(),
  remittance: z.string().nullable(),
  checkNumber: z.string().nullable(),
  bankReference: z.string().nullable(),
  transactionCode: z.string().nullable(),
  raw: z.unknown(),
});
export type BankLine = z.infer<typeof BankLine>;
