import { z } from 'zod';
import { ExternalId } from './common.js';
import { CurrencyCode } from './money.js';

/** Chart of accounts. */
export const AccountClass = z.enum(['asset', 'liability', 'equity', 'revenue', 'expense']);
export type AccountClass = z.infer<typeof AccountClass>;

export const Account = z.object({
  externalId: ExternalId,
  code: z.string().nullable(),
  name: z.string().min(1),
  /** The provider's type, lower-cased (`bank`, `revenue`, `currliab`, `accounts receivable` …). */
  type: z.string().min(1),
  class: AccountClass.nullable(),
  status: z.enum(['active', 'archived', 'deleted']),
  isBank: z.boolean(),
  bankAccountNumber: z.string().nullable(),
  currency: CurrencyCode.nullable(),
  /** Accounts receivable control account. */
  isReceivable: z.boolean(),
});
export type Account = z.infer<typeof Account>;
