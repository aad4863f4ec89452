import type { Clock } from '../../lib/clock.js';
import { systemClock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { ConnCtx, Connector, Cursor, EntityKind, Page, RateLimits } from '../connector.js';
import { createXeroClient, type XeroClient, type XeroListEntity } from './client.js';
import { xeroInstant } from './dates.js';
import { mapXeroPage } from './map.js';

/**
 * The Xero connector (pull). Incremental per entity with `If-Modified-Since` from the stored cursor;
 * paged entities are read `page` by `page` (100 a page, which is also what makes Invoices return their
 * line items), ordered by `UpdatedDateUTC` so page boundaries stay put while we read.
 */
export interface XeroConnectorOptions {
  client?: XeroClient;
  basePath?: string;
  clock?: Clock;
  logger?: Logger;
}

export const XERO_LIMITS: RateLimits = { perMinute: 60, concurrent: 5, perDay: 5000 };
export const XERO_PAGE_SIZE = 100;

interface EntitySpec {
  entity: XeroListEntity;
  paged: boolean;
  where?: string;
  includeArchived?: boolean;
}

export const XERO_ENTITIES: Partial<Record<EntityKind, EntitySpec>> = {
  accounts: { entity: 'Accounts', paged: false },
  contacts: { entity: 'Contacts', paged: true, includeArchived: true },
  invoices: { entity: 'Invoices', paged: true, where: 'Type=="ACCREC"' },
  credit_notes: { entity: 'CreditNotes', paged: true, where: 'Type=="ACCRECCREDIT"' },
  overpayments: { entity: 'Overpayments', paged: true },
  prepayments: { entity: 'Prepayments', paged: true },
  payments: { entity: 'Payments', paged: true },
  bank_transactions: { entity: 'BankTransactions', paged: true },
};

const KINDS: readonly EntityKind[] = [
  'accounts',
  'contacts',
  'invoices',
  'credit_notes',
  'overpayments',
  'prepayments',
  'payments',
  'bank_transactions',
];

/** The stored resume point of one entity. */
export interface XeroCursor {
  /** If-Modified-Since of the pull in progress (or of the next pull, when `page` is absent). */
  since: string | null;
  /** Next page of the pull in progress. */
  page?: number;
  /** Highest UpdatedDateUTC seen so far in the pull in progress. */
  high?: string | null;
}

export function parseXeroCursor(c: Cursor | null): XeroCursor {
  if (!c) return { since: null };
  const since = typeof c.since === 'string' ? c.since : null;
  const page = typeof c.page === 'number' && Number.isInteger(c.page) && c.page > 0 ? c.page : undefined;
  const high = typeof c.high === 'string' ? c.high : null;
  return page ? { since, page, high } : { since };
}

function maxUpdated(items: readonly unknown[], start: string | null): string | null {
  let best = start ? Date.parse(start) : Number.NEGATIVE_INFINITY;
  for (const it of items) {
    const u = (it as { UpdatedDateUTC?: unknown } | null)?.UpdatedDateUTC;
    if (typeof u !== 'string') continue;
    try {
      const t = xeroInstant(u).getTime();
      if (t > best) best = t;
    } catch {
      // a malformed timestamp is the mapper's to report
    }
  }
  return Number.isFinite(best) ? new Date(best).toISOString() : null;
}

/** One client per process by default, so every connector of an org shares its limits. */
let shared: XeroClient | null = null;
export function sharedXeroClient(): XeroClient {
  shared ??= createXeroClient();
  return shared;
}

export function createXeroConnector(opts: XeroConnectorOptions = {}): Connector {
  const client = opts.client ?? (opts.basePath ? createXeroClient({ basePath: opts.basePath }) : sharedXeroClient());
  void (opts.clock ?? systemClock);

  async function pull(ctx: ConnCtx, kind: EntityKind, cursor: Cursor | null): Promise<Page> {
    const spec = XERO_ENTITIES[kind];
    if (!spec) throw new AppError('bad_request', `the Xero connector does not pull ${kind}`);
    if (!ctx.tenantId) throw new AppError('not_configured', 'the Xero connection has no tenant id');
    const c = parseXeroCursor(cursor);
    const page = spec.paged ? (c.page ?? 1) : undefined;
    const res = await client.list(spec.entity, {
      tenantId: ctx.tenantId,
      accessToken: await ctx.accessToken(),
      ifModifiedSince: c.since ? new Date(c.since) : undefined,
      where: spec.where,
      order: 'UpdatedDateUTC ASC',
      page,
      includeArchived: spec.includeArchived,
    });
    const { records, errors } = mapXeroPage(kind, res.items, { baseCurrency: ctx.firm.baseCurrency });
    const high = maxUpdated(res.items, c.high ?? null);
    const done = !spec.paged || res.items.length < XERO_PAGE_SIZE;
    if (done) {
      const since = high ?? c.since;
      return { records, errors, next: since ? { since } : null, done: true };
    }
    return { records, errors, next: { since: c.since, page: (page ?? 1) + 1, high }, done: false };
  }

  return { provider: 'xero', limits: XERO_LIMITS, kinds: KINDS, pull };
}
