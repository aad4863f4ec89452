import { z } from 'zod';
import { DocStatus, ExternalId, TaxMode } from './common.js';
import { IsoDate } from './dates.js';
import { DecimalString } from './decimal.js';
import { CurrencyCode, MinorUnits } from './money.js';

export const CreditNote = z.object({
  externalId: ExternalId,
  number: z.string().nullable(),
  reference: z.string().nullable(),
  contactExternalId: z.string().nullable(),
  status: DocStatus,
  issueDate: IsoDate,
  currency: CurrencyCode,
  taxMode: TaxMode,
  subtotalMinor: MinorUnits,
  taxMinor: MinorUnits,
  totalMinor: MinorUnits,
  currencyRate: DecimalString,
  baseTotalMinor: MinorUnits,
  providerRemainingMinor: MinorUnits.nullable(),
});
export type CreditNote = z.infer<typeof CreditNote>;
