import { z } from 'zod';

/** What reaches a person. Later issues add kinds here (and nowhere else). */
export const ExceptionKind = z.enum([
  'unmatched_receipt',
  'ambiguous_match',
  'amount_mismatch',
  'receipt_coded_directly',
  'balance_mismatch',
  'sync_error',
  'connection_needs_reauth',
  'payout_manual',
  'payout_mismatch',
  'dispute_opened',
  'push_blocked_locked_period',
  'push_rejected',
  'orphaned_payment',
  'statement_unbalanced',
  /** Money in a trust (client money) account: never auto-applied to operating invoices. */
  'trust_receipt',
]);
export type ExceptionKind = z.infer<typeof ExceptionKind>;

export const ExceptionStatus = z.enum(['open', 'resolved', 'ignored']);
export type ExceptionStatus = z.infer<typeof ExceptionStatus>;

export const Candidate = z.object({
  kind: z.string(),
  id: z.string(),
  label: z.string(),
  score: z.number(),
  amountMinor: z.number().int().optional(),
  currency: z.string().optional(),
  why: z.string(),
});
export type Candidate = z.infer<typeof Candidate>;
