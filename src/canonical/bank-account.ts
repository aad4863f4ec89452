import { z } from 'zod';
import { CurrencyCode } from './money.js';

/**
 * A bank account the firm's cash moves through. `trust` marks client money: it is never auto-applied to
 * operating invoices.
 */
export const BankAccount = z.object({
  name: z.string().min(1),
  /** The ledger account in the books (Xero AccountID of type BANK, QBO Account Id), when linked. */
  ledgerAccountExternalId: z.string().nullable(),
  accountNumber: z.string().nullable(),
  iban: z.string().nullable(),
  currency: CurrencyCode,
  trust: z.boolean(),
});
export type BankAccount = z.infer<typeof BankAccount>;
