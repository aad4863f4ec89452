import { z } from 'zod';
import { CurrencyCode, MinorUnits } from './money.js';

/**
 * Money the books already hold, carried to the bank by a deposit (QBO Deposit out of Undeposited Funds):
 * the deposit (a bank transaction) is the bank-side money, the linked payment is the same cash, not a
 * second receipt.
 */
export const DepositLink = z.object({
  /** `<deposit external id>:<line index>:<linked index>` */
  externalId: z.string().min(1),
  /** The bank transaction (deposit) external id. */
  depositExternalId: z.string().min(1),
  linkedKind: z.enum(['payment', 'sales_receipt', 'journal_entry', 'transfer', 'other']),
  linkedExternalId: z.string().min(1),
  amountMinor: MinorUnits,
  currency: CurrencyCode,
});
export type DepositLink = z.infer<typeof DepositLink>;
