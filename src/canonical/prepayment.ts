import { z } from 'zod';
import { DocStatus, ExternalId } from './common.js';
import { IsoDate } from './dates.js';
import { CurrencyCode, MinorUnits } from './money.js';

/** Cash received ahead of (prepayment) or beyond (overpayment) what was invoiced: a credit to allocate. */
export const Prepayment = z.object({
  externalId: ExternalId,
  kind: z.enum(['overpayment', 'prepayment']),
  contactExternalId: z.string().nullable(),
  status: DocStatus,
  date: IsoDate,
  currency: CurrencyCode,
  totalMinor: MinorUnits,
  providerRemainingMinor: MinorUnits.nullable(),
  bankLedgerAccountExternalId: z.string().nullable(),
  reference: z.string().nullable(),
  /** RECEIVE-OVERPAYMENT vs SPEND-OVERPAYMENT: only received credits are receivables credits. */
  direction: z.enum(['receive', 'spend']),
});
export type Prepayment = z.infer<typeof Prepayment>;
