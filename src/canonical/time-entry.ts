import { z } from 'zod';
import { ExternalId } from './common.js';
import { IsoDate } from './dates.js';
import { DecimalString } from './decimal.js';
import { CurrencyCode } from './money.js';

/**
 * Billable time: QBO TimeActivity, Xero Projects time entries, CSV/LEDES imports. Duration in whole
 * minutes; the rate stays an exact decimal (per hour) in `rateCurrency`.
 */
export const TimeEntry = z.object({
  externalId: ExternalId,
  date: IsoDate,
  durationMinutes: z.number().int().min(0),
  contactExternalId: z.string().nullable(),
  matterExternalId: z.string().nullable(),
  /** Who did the work (user or employee id at the provider) and their name when known. */
  userExternalId: z.string().nullable(),
  userName: z.string().nullable(),
  taskExternalId: z.string().nullable(),
  taskName: z.string().nullable(),
  description: z.string().nullable(),
  hourlyRate: DecimalString.nullable(),
  rateCurrency: CurrencyCode.nullable(),
  /** billable | not_billable | billed (invoiced) */
  billableStatus: z.enum(['billable', 'not_billable', 'billed']),
  /** draft | approved | invoiced | locked, as the provider says it, lower-cased. */
  status: z.string().min(1),
});
export type TimeEntry = z.infer<typeof TimeEntry>;
