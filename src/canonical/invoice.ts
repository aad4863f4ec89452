import { z } from 'zod';
import { DocStatus, ExternalId, TaxMode } from './common.js';
import { IsoDate } from './dates.js';
import { DecimalString } from './decimal.js';
import { CurrencyCode, MinorUnits } from './money.js';

export const InvoiceLine = z.object({
  externalId: z.string().nullable(),
  description: z.string(),
  quantity: DecimalString,
  unitAmount: DecimalString,
  /** Line amount as the provider states it (exclusive or inclusive per the document's tax mode). */
  amountMinor: MinorUnits,
  taxMinor: MinorUnits,
  accountCode: z.string().nullable(),
  taxType: z.string().nullable(),
  itemCode: z.string().nullable(),
});
export type InvoiceLine = z.infer<typeof InvoiceLine>;

export const Invoice = z.object({
  externalId: ExternalId,
  number: z.string().nullable(),
  reference: z.string().nullable(),
  contactExternalId: z.string().nullable(),
  matterExternalId: z.string().nullable(),
  status: DocStatus,
  issueDate: IsoDate,
  dueDate: IsoDate.nullable(),
  currency: CurrencyCode,
  taxMode: TaxMode,
  subtotalMinor: MinorUnits,
  taxMinor: MinorUnits,
  totalMinor: MinorUnits,
  /** Units of the firm's base currency per unit of the invoice currency ("1" for base-currency invoices). */
  currencyRate: DecimalString,
  baseTotalMinor: MinorUnits,
  /** The provider's own figure for what is still due; compared with ours, never copied over it. */
  providerAmountDueMinor: MinorUnits.nullable(),
  lines: z.array(InvoiceLine),
});
export type Invoice = z.infer<typeof Invoice>;
