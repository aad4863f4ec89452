import type { Clock } from '../../lib/clock.js';
import { systemClock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type {
  CanonicalRecord,
  ConnCtx,
  Connector,
  Cursor,
  EntityKind,
  Page,
  RateLimits,
  RecordError,
} from '../connector.js';
import { createXeroClient, isTierRefusal, type XeroClient, type XeroListEntity } from './client.js';
import { xeroInstant } from './dates.js';
import { mapJournal, mapManualJournal } from './gl.js';
import { mapXeroPage } from './map.js';
import { mapProject, mapTimeEntry, XProject, XTask } from './projects.js';

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
  /** The kinds a plain runSync pulls (default: the documents, XERO_DOCUMENT_KINDS). */
  kinds?: readonly EntityKind[];
  /**
   * Journals were refused for the app's API tier (401 AuthorizationUnsuccessful — not an expired
   * token): the caller switches the connection's GL source to derived. The pull then ends quietly.
   */
  onJournalsRefused?: (ctx: ConnCtx) => Promise<void>;
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
  manual_journals: { entity: 'ManualJournals', paged: true },
};

export const XERO_DOCUMENT_KINDS: readonly EntityKind[] = [
  'accounts',
  'contacts',
  'invoices',
  'credit_notes',
  'overpayments',
  'prepayments',
  'payments',
  'bank_transactions',
];

/** Everything: documents, then manual journals, the Journals GL feed, projects and time entries. */
export const XERO_ALL_KINDS: readonly EntityKind[] = [
  ...XERO_DOCUMENT_KINDS,
  'manual_journals',
  'gl_postings',
  'matters',
  'time_entries',
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
  const client =
    opts.client ?? (opts.basePath ? createXeroClient({ basePath: opts.basePath }) : sharedXeroClient());
  void (opts.clock ?? systemClock);

  async function auth(ctx: ConnCtx): Promise<{ tenantId: string; accessToken: string }> {
    if (!ctx.tenantId) throw new AppError('not_configured', 'the Xero connection has no tenant id');
    return { tenantId: ctx.tenantId, accessToken: await ctx.accessToken() };
  }

  async function pullDocuments(
    ctx: ConnCtx,
    kind: EntityKind,
    spec: EntitySpec,
    cursor: Cursor | null,
  ): Promise<Page> {
    const c = parseXeroCursor(cursor);
    const page = spec.paged ? (c.page ?? 1) : undefined;
    const res = await client.list(spec.entity, {
      ...(await auth(ctx)),
      ifModifiedSince: c.since ? new Date(c.since) : undefined,
      where: spec.where,
      order: 'UpdatedDateUTC ASC',
      page,
      includeArchived: spec.includeArchived,
    });
    const base = ctx.firm.baseCurrency;
    const { records, errors } =
      kind === 'manual_journals'
        ? mapEach(res.items, (r) => mapManualJournal(r, base))
        : mapXeroPage(kind, res.items, { baseCurrency: base });
    const high = maxUpdated(res.items, c.high ?? null);
    const done = !spec.paged || res.items.length < XERO_PAGE_SIZE;
    if (done) {
      const since = high ?? c.since;
      return { records, errors, next: since ? { since } : null, done: true };
    }
    return { records, errors, next: { since: c.since, page: (page ?? 1) + 1, high }, done: false };
  }

  /** Journals by offset: the last JournalNumber seen, 100 a call. */
  async function pullJournals(ctx: ConnCtx, cursor: Cursor | null): Promise<Page> {
    const offset = typeof cursor?.offset === 'number' ? cursor.offset : 0;
    let res: Awaited<ReturnType<XeroClient['journals']>>;
    try {
      res = await client.journals({ ...(await auth(ctx)), offset });
    } catch (e) {
      if (!isTierRefusal(e)) throw e;
      ctx.logger.info(
        { connectionId: ctx.connectionId },
        'Xero Journals refused for this API tier: GL is derived',
      );
      await opts.onJournalsRefused?.(ctx);
      return { records: [], errors: [], next: cursor, done: true };
    }
    const { records, errors } = mapEach(res.items, (r) => mapJournal(r, ctx.firm.baseCurrency));
    let last = offset;
    for (const j of res.items) {
      const n = (j as { JournalNumber?: unknown }).JournalNumber;
      if (typeof n === 'number' && n > last) last = n;
    }
    return { records, errors, next: { offset: last }, done: res.items.length < XERO_PAGE_SIZE };
  }

  async function allProjects(ctx: ConnCtx): Promise<{ raws: unknown[]; projects: XProject[] }> {
    const raws: unknown[] = [];
    for (let page = 1; page < 1000; page++) {
      const res = await client.projects({ ...(await auth(ctx)), page });
      raws.push(...res.items);
      if (!res.pagination || page >= res.pagination.pageCount || res.items.length === 0) break;
    }
    const projects = raws.flatMap((r) => {
      const p = XProject.safeParse(r);
      return p.success ? [p.data] : [];
    });
    return { raws, projects };
  }

  async function pullMatters(ctx: ConnCtx): Promise<Page> {
    const { raws } = await allProjects(ctx);
    const mapped = mapEach(raws, (r) => {
      const m = mapProject(r);
      return m.ok ? { ok: true as const, value: [m.value] } : m;
    });
    return { ...mapped, next: null, done: true };
  }

  /** Time entries project by project; each page carries `{ p: project index, page }`. */
  async function pullTimeEntries(ctx: ConnCtx, cursor: Cursor | null): Promise<Page> {
    const { projects } = await allProjects(ctx);
    const p = typeof cursor?.p === 'number' ? cursor.p : 0;
    const page = typeof cursor?.page === 'number' ? cursor.page : 1;
    const project = projects[p];
    if (!project) return { records: [], errors: [], next: null, done: true };
    const a = await auth(ctx);
    const tasks = new Map<string, XTask>();
    for (let tp = 1; tp < 1000; tp++) {
      const res = await client.tasks({ ...a, projectId: project.projectId, page: tp });
      for (const t of res.items) {
        const x = XTask.safeParse(t);
        if (x.success) tasks.set(x.data.taskId, x.data);
      }
      if (!res.pagination || tp >= res.pagination.pageCount || res.items.length === 0) break;
    }
    const res = await client.timeEntries({ ...a, projectId: project.projectId, page });
    const mapped = mapEach(res.items, (r) => {
      const m = mapTimeEntry(r, { project, tasks, timezone: ctx.firm.timezone });
      return m.ok ? { ok: true as const, value: [m.value] } : m;
    });
    const morePages = !!res.pagination && page < res.pagination.pageCount;
    if (morePages) return { ...mapped, next: { p, page: page + 1 }, done: false };
    const last = p + 1 >= projects.length;
    return { ...mapped, next: last ? null : { p: p + 1, page: 1 }, done: last };
  }

  async function pull(ctx: ConnCtx, kind: EntityKind, cursor: Cursor | null): Promise<Page> {
    if (kind === 'gl_postings') return pullJournals(ctx, cursor);
    if (kind === 'matters') return pullMatters(ctx);
    if (kind === 'time_entries') return pullTimeEntries(ctx, cursor);
    const spec = XERO_ENTITIES[kind];
    if (!spec) throw new AppError('bad_request', `the Xero connector does not pull ${kind}`);
    return pullDocuments(ctx, kind, spec, cursor);
  }

  return { provider: 'xero', limits: XERO_LIMITS, kinds: opts.kinds ?? XERO_DOCUMENT_KINDS, pull };
}

function mapEach(
  raws: readonly unknown[],
  fn: (raw: unknown) => { ok: true; value: CanonicalRecord[] } | { ok: false; error: RecordError },
): { records: CanonicalRecord[]; errors: RecordError[] } {
  const records: CanonicalRecord[] = [];
  const errors: RecordError[] = [];
  for (const r of raws) {
    const m = fn(r);
    if (m.ok) records.push(...m.value);
    else errors.push(m.error);
  }
  return { records, errors };
}
