import { z } from 'zod';

/** A column-mapping profile for one bank's CSV export. Shipped ones live in profiles/*.json. */
export const CsvProfile = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    delimiter: z.enum([',', ';', '\t', '|', 'auto']).default('auto'),
    /** false: the file has no header row; columns are then named "#1", "#2" … */
    hasHeader: z.boolean().default(true),
    /** Lines to skip before the header row (bank banners). */
    skipLines: z.number().int().min(0).default(0),
    /** Date order in the file: Y-M-D, M/D/Y or D/M/Y (any of / . - as separators). */
    dateOrder: z.enum(['ymd', 'mdy', 'dmy']),
    decimal: z.enum(['.', ',']).default('.'),
    /** The currency when no column says; required unless columns.currency is mapped. */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    /** Flip every sign (card exports that show charges as positive). */
    invertSign: z.boolean().default(false),
    /** Column references: a header name (case and spaces ignored) or "#N" (1-based position). */
    columns: z.object({
      date: z.string(),
      valueDate: z.string().optional(),
      /** Either one signed amount column … */
      amount: z.string().optional(),
      /** … or a debit (money out) and a credit (money in) column. */
      debit: z.string().optional(),
      credit: z.string().optional(),
      /** Joined with " " into the remittance text. */
      description: z.array(z.string()).default([]),
      counterparty: z.string().optional(),
      counterpartyAccount: z.string().optional(),
      reference: z.string().optional(),
      checkNumber: z.string().optional(),
      balance: z.string().optional(),
      currency: z.string().optional(),
      /** A bank id per row: becomes the dedupe key. */
      id: z.string().optional(),
      account: z.string().optional(),
    }),
    /** Header names that identify this bank's export (for detection). */
    detectHeaders: z.array(z.string()).default([]),
    /** Rows whose first cell matches this (e.g. "Total") are ignored. */
    ignoreRowsMatching: z.string().optional(),
  })
  .refine((p) => p.columns.amount || (p.columns.debit && p.columns.credit), {
    message: 'map columns.amount, or both columns.debit and columns.credit',
  })
  .refine((p) => p.currency || p.columns.currency, { message: 'give currency or map columns.currency' });
export type CsvProfile = z.infer<typeof CsvProfile>;
export type CsvProfileInput = z.input<typeof CsvProfile>;
