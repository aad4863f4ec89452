import { z } from 'zod';
import { IsoDate } from './dates.js';
import { CurrencyCode, MinorUnits } from './money.js';

/**
 * One row of a provider's financial report (general ledger, trial balance, aged receivables), parsed
 * generically: its section path, its cells by column, and its money columns in minor units (blank = 0).
 * `summary` rows are the report's own totals, kept so they can be checked against the sum of their rows.
 */
export const ReportRow = z.object({
  /** `<report>:<periodStart>:<periodEnd>:<position>` — stable for the same report and period. */
  externalId: z.string().min(1),
  report: z.string().min(1),
  periodStart: IsoDate.nullable(),
  periodEnd: IsoDate,
  basis: z.string().nullable(),
  currency: CurrencyCode,
  position: z.number().int().min(0),
  rowType: z.enum(['data', 'summary']),
  /** Section labels from the top of the report down to this row. */
  path: z.array(z.string()),
  /** Ids of the sections (accounts, customers) from the top down; null where a section has none. */
  pathIds: z.array(z.string().nullable()),
  label: z.string().nullable(),
  /** The id carried by the row's first cell (account, customer). */
  entityExternalId: z.string().nullable(),
  date: IsoDate.nullable(),
  txnType: z.string().nullable(),
  txnExternalId: z.string().nullable(),
  /** Every cell as text, keyed by the column's key (its ColType, or ColTitle when types repeat). */
  cells: z.record(z.string(), z.string()),
  /** Money columns, keyed like `cells`, in minor units of `currency`. */
  amounts: z.record(z.string(), MinorUnits),
});
export type ReportRow = z.infer<typeof ReportRow>;
