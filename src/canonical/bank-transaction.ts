import { z } from 'zod';
import { DocStatus, ExternalId } from './common.js';
import { IsoDate } from './dates.js';
import { CurrencyCode, MinorUnits } from './money.js';

/**
 * Money the books already record against a bank account (Xero BankTransaction, QBO Deposit/Purchase):
 * positive in, negative out. Not a statement line.
 */
export const BankTransaction = z.object({
  externalId: ExternalId,
  type: z.enum([
    'receive',
    'spend',
    'receive_overpayment',
    'receive_prepayment',
    'spend_overpayment',
    'spend_prepayment',
    'transfer',
    'deposit',
  ]),
  status: DocStatus,
  date: IsoDate,
  amountMinor: MinorUnits,
  currency: CurrencyCode,
  reference: z.string().nullable(),
  contactExternalId: z.string().nullable(),
  bankLedgerAccountExternalId: z.string().nullable(),
  isReconciled: z.boolean(),
  /** Same money as this overpayment/prepayment: not a second receipt. */
  prepaymentExternalId: z.string().nullable(),
  /** Ledger account codes of its lines (a receipt coded straight to income shows here). */
  lineAccountCodes: z.array(z.string()),
});
export type BankTransaction = z.infer<typeof BankTransaction>;
