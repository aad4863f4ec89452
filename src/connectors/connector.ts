import type {
  Account,
  Application,
  BankTransaction,
  Contact,
  CreditNote,
  DepositLink,
  GlPosting,
  Invoice,
  Item,
  Matter,
  Payment,
  Prepayment,
  ProviderId,
  ReportRow,
  StripeBalanceTransaction,
  StripeDispute,
  StripePayment,
  StripePayout,
  StripeRefund,
  TimeEntry,
} from '../canonical/index.js';
import type { Logger } from '../lib/logger.js';

/**
 * The connector port. A connector is the only code that knows a provider's API, auth, limits and quirks;
 * it hands sync canonical records (zod-validated) and per-record errors, never provider shapes.
 */

/** What a pull can be asked for. Areas add kinds here; sync switches over them exhaustively. */
export type EntityKind =
  | 'contacts'
  | 'accounts'
  | 'invoices'
  | 'credit_notes'
  | 'payments'
  | 'overpayments'
  | 'prepayments'
  | 'bank_transactions'
  | 'matters'
  | 'gl_postings'
  | 'time_entries'
  // Xero (issue 6): manual journals, pulled whether or not the Journals feed is available
  | 'manual_journals'
  // Stripe (issue 4): objects by kind, and the /v1/events catch-up that re-fetches changed objects
  | 'stripe_payments'
  | 'stripe_refunds'
  | 'stripe_disputes'
  | 'stripe_payouts'
  | 'stripe_events';

/** A canonical record and the applications (allocations) it carries. */
export type CanonicalRecord =
  | { kind: 'contact'; data: Contact; raw: unknown }
  | { kind: 'account'; data: Account; raw: unknown }
  | { kind: 'matter'; data: Matter; raw: unknown }
  | { kind: 'invoice'; data: Invoice; applications: Application[]; raw: unknown }
  | { kind: 'credit_note'; data: CreditNote; applications: Application[]; raw: unknown }
  | { kind: 'payment'; data: Payment; applications: Application[]; raw: unknown }
  | { kind: 'prepayment'; data: Prepayment; applications: Application[]; raw: unknown }
  | { kind: 'bank_transaction'; data: BankTransaction; raw: unknown }
  | { kind: 'gl_posting'; data: GlPosting; raw: unknown }
  | { kind: 'time_entry'; data: TimeEntry; raw: unknown }
  | { kind: 'stripe_payment'; data: StripePayment; raw: unknown }
  | { kind: 'stripe_refund'; data: StripeRefund; raw: unknown }
  | { kind: 'stripe_dispute'; data: StripeDispute; raw: unknown }
  | { kind: 'stripe_payout'; data: StripePayout; raw: unknown }
  | { kind: 'stripe_balance_transaction'; data: StripeBalanceTransaction; raw: unknown }
  | { kind: 'item'; data: Item; raw: unknown }
  | { kind: 'report_row'; data: ReportRow; raw: unknown }
  | { kind: 'deposit_link'; data: DepositLink; raw: unknown }
  /**
   * The provider says a record is gone (QBO CDC `status: "Deleted"` carries only the id): the stored row
   * is marked deleted (status and tombstone) and what it applied is reversed; nothing else of it is lost.
   */
  | { kind: 'deletion'; data: Deletion; raw: unknown };

export interface Deletion {
  externalId: string;
  of: Exclude<CanonicalRecord['kind'], 'deletion'>;
}

/** One record of a page that could not be mapped: which record, which field, why. */
export interface RecordError {
  entity: EntityKind;
  externalId: string | null;
  field: string | null;
  message: string;
  raw: unknown;
}

/** A provider-specific resume point, stored as JSON per (connection, entity). */
export type Cursor = Record<string, unknown>;

export interface Page {
  records: CanonicalRecord[];
  errors: RecordError[];
  /** Where the next call starts; stored only after this page's records are written. */
  next: Cursor | null;
  /** No more pages for this pull. */
  done: boolean;
}

export interface RateLimits {
  perMinute: number;
  concurrent: number;
  perDay?: number;
}

/** What a connector needs to talk to one connected organisation. */
export interface ConnCtx {
  firmId: string;
  connectionId: string;
  /** Xero tenantId, QBO realmId, Stripe account. */
  tenantId: string | null;
  /** Yields a valid access token (refreshing under the grant's lock when needed). */
  accessToken: () => Promise<string>;
  logger: Logger;
  /** The firm's time zone and base currency (for dates and FX). */
  firm: { timezone: string; baseCurrency: string };
}

export interface Connector {
  readonly provider: ProviderId;
  readonly limits: RateLimits;
  /** The entity kinds this connector pulls, in the order they should run. */
  readonly kinds: readonly EntityKind[];
  pull(ctx: ConnCtx, kind: EntityKind, cursor: Cursor | null): Promise<Page>;
}
