import { z } from 'zod';
import { IsoDate } from './dates.js';
import { CurrencyCode, MinorUnits } from './money.js';

/** One line of the general ledger: debit positive, credit negative, in the firm's base currency. */
export const GlPosting = z.object({
  externalId: z.string().min(1),
  journalExternalId: z.string().nullable(),
  journalNumber: z.number().int().nullable(),
  date: IsoDate,
  accountExternalId: z.string().nullable(),
  accountCode: z.string().nullable(),
  amountMinor: MinorUnits,
  currency: CurrencyCode,
  /** The source document: invoice, credit note, payment, bank transaction, manual journal … */
  sourceType: z.string().nullable(),
  sourceExternalId: z.string().nullable(),
  description: z.string().nullable(),
  /** Rebuilt from documents rather than read from the provider's journal feed. */
  derived: z.boolean(),
});
export type GlPosting = z.infer<typeof GlPosting>;
