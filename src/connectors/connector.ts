import type {
  Account,
  Application,
  BankTransaction,
  Contact,
  CreditNote,
  GlPosting,
  Invoice,
  Matter,
  Payment,
  Prepayment,
  ProviderId,
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
  | 'time_entries';

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
  | { kind: 'time_entry'; data: TimeEntry; raw: unknown };

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
