import { HttpResponse, http, type RequestHandler } from 'msw';
import { xeroInstant } from './dates.js';

/**
 * msw handlers that serve a Xero "org dataset" the way Xero's Accounting API does, for tests and the
 * demo (only the transport differs from production: the connector, mapping and sync code are the
 * same). A dataset is an object of entity name → raw Xero records (as the API's JSON has them), plus
 * `Organisation`. The handlers read the dataset on every request, so a test may change it between pulls.
 *
 * Served: GET https://api.xero.com/api.xro/2.0/<Entity> and /<Entity>/<id>, with `page` paging
 * (100 a page, or `pageSize`), `If-Modified-Since` on `UpdatedDateUTC`, `where` (`Field=="v"` joined by
 * AND, `!=` too), `Statuses`, `IDs`, `ContactIDs`, `includeArchived` (archived contacts are left out
 * without it), `order` on UpdatedDateUTC. `xero-tenant-id` and a bearer token are required.
 */
export interface XeroOrgDataset {
  /** One organisation, or Xero's `Organisations`-style array of one. */
  Organisation?: Record<string, unknown> | Record<string, unknown>[];
  /** When present (and no `tenantId` option is given), the only xero-tenant-id served. */
  tenantId?: string;
  [entity: string]: unknown;
}

export interface XeroReplayOptions {
  /** When set, any other xero-tenant-id gets Xero's 403. */
  tenantId?: string;
  basePath?: string;
}

const ID_FIELDS: Record<string, string> = {
  Accounts: 'AccountID',
  Contacts: 'ContactID',
  Invoices: 'InvoiceID',
  CreditNotes: 'CreditNoteID',
  Overpayments: 'OverpaymentID',
  Prepayments: 'PrepaymentID',
  Payments: 'PaymentID',
  BankTransactions: 'BankTransactionID',
  ManualJournals: 'ManualJournalID',
  Items: 'ItemID',
};

/** Entities Xero pages (the others return everything at once). */
const PAGED = new Set([
  'Contacts',
  'Invoices',
  'CreditNotes',
  'Overpayments',
  'Prepayments',
  'Payments',
  'BankTransactions',
  'ManualJournals',
]);

const forbidden = () =>
  HttpResponse.json(
    {
      Type: null,
      Title: 'Forbidden',
      Status: 403,
      Detail: 'AuthenticationUnsuccessful',
      Instance: '00000000-0000-0000-0000-000000000403',
      Extensions: {},
    },
    { status: 403 },
  );

const unauthorized = () =>
  HttpResponse.json(
    { Type: null, Title: 'Unauthorized', Status: 401, Detail: 'TokenExpired: token missing', Extensions: {} },
    { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } },
  );

type Row = Record<string, unknown>;

/** `Type=="ACCREC" AND Status!="DELETED"`: a small evaluator of the forms we send. */
export function whereFilter(where: string | null): (r: Row) => boolean {
  if (!where) return () => true;
  const parts = where.split(/\s+AND\s+/i).map((p) => {
    const m = /^\s*([\w.]+)\s*(==|!=)\s*"([^"]*)"\s*$/.exec(p);
    if (!m) throw new Error(`unsupported where clause: ${p}`);
    return { path: (m[1] ?? '').split('.'), op: m[2], value: m[3] };
  });
  return (r) =>
    parts.every(({ path, op, value }) => {
      let v: unknown = r;
      for (const k of path) v = (v as Row | undefined)?.[k];
      const eq = String(v ?? '') === value;
      return op === '==' ? eq : !eq;
    });
}

function updatedAt(r: Row): number {
  const u = r.UpdatedDateUTC;
  if (typeof u !== 'string') return 0;
  try {
    return xeroInstant(u).getTime();
  } catch {
    return 0;
  }
}

function envelope(entity: string, items: unknown[], pagination?: Row): Row {
  return {
    Id: '00000000-0000-4000-8000-000000000000',
    Status: 'OK',
    ProviderName: 'ledgerbridge replay',
    DateTimeUTC: '/Date(1764720000000)/',
    ...(pagination ? { pagination } : {}),
    [entity]: items,
  };
}

function rows(dataset: XeroOrgDataset, entity: string): Row[] {
  const v = dataset[entity];
  return Array.isArray(v) ? (v as Row[]) : [];
}

export function xeroReplayHandlers(dataset: XeroOrgDataset, opts: XeroReplayOptions = {}): RequestHandler[] {
  const base = opts.basePath ?? 'https://api.xero.com/api.xro/2.0';

  const guard = (request: Request): Response | null => {
    const tenant = request.headers.get('xero-tenant-id');
    const expected = opts.tenantId ?? dataset.tenantId;
    if (!tenant || (expected && tenant !== expected)) return forbidden();
    if (!/^Bearer \S+/.test(request.headers.get('authorization') ?? '')) return unauthorized();
    return null;
  };

  return [
    http.get(`${base}/Organisation`, ({ request }) => {
      const g = guard(request);
      if (g) return g;
      const org = dataset.Organisation;
      return HttpResponse.json(envelope('Organisations', Array.isArray(org) ? org : org ? [org] : []));
    }),
    http.get(`${base}/:entity/:id`, ({ request, params }) => {
      const g = guard(request);
      if (g) return g;
      const entity = String(params.entity);
      const idField = ID_FIELDS[entity];
      if (!idField) return undefined;
      const hit = rows(dataset, entity).find((r) => r[idField] === params.id);
      if (!hit)
        return HttpResponse.json(
          { Type: null, Title: 'Not Found', Status: 404, Detail: 'Resource not found' },
          { status: 404 },
        );
      return HttpResponse.json(envelope(entity, [hit]));
    }),
    http.get(`${base}/:entity`, ({ request, params }) => {
      const g = guard(request);
      if (g) return g;
      const entity = String(params.entity);
      if (!(entity in ID_FIELDS) || !(entity in dataset)) return undefined;
      const url = new URL(request.url);
      const q = url.searchParams;
      let list = rows(dataset, entity);
      const ims = request.headers.get('if-modified-since');
      if (ims) {
        const since = Date.parse(ims);
        if (Number.isNaN(since))
          return HttpResponse.json({ Title: 'Bad Request', Detail: 'If-Modified-Since' }, { status: 400 });
        list = list.filter((r) => updatedAt(r) >= since);
      }
      try {
        list = list.filter(whereFilter(q.get('where')));
      } catch (e) {
        return HttpResponse.json(
          { ErrorNumber: 16, Type: 'QueryParseException', Message: (e as Error).message },
          { status: 400 },
        );
      }
      const statuses = q.get('Statuses');
      if (statuses) {
        const set = new Set(statuses.split(','));
        list = list.filter((r) => set.has(String(r.Status)));
      }
      const ids = q.get('IDs');
      const idField = ID_FIELDS[entity] ?? '';
      if (ids) {
        const set = new Set(ids.split(','));
        list = list.filter((r) => set.has(String(r[idField])));
      }
      const contactIds = q.get('ContactIDs');
      if (contactIds) {
        const set = new Set(contactIds.split(','));
        list = list.filter((r) => set.has(String((r.Contact as Row | undefined)?.ContactID)));
      }
      if (entity === 'Contacts' && q.get('includeArchived') !== 'true' && !ids)
        list = list.filter((r) => r.ContactStatus !== 'ARCHIVED');
      const order = q.get('order');
      if (order && /^UpdatedDateUTC/i.test(order)) {
        const desc = /DESC$/i.test(order);
        list = [...list].sort((a, b) => (desc ? updatedAt(b) - updatedAt(a) : updatedAt(a) - updatedAt(b)));
      }
      const pageParam = q.get('page');
      if (!PAGED.has(entity) || pageParam === null) {
        // without `page`, Xero returns invoices without their line items
        const out = entity === 'Invoices' ? list.map((r) => ({ ...r, LineItems: [] })) : list;
        return HttpResponse.json(envelope(entity, out));
      }
      const page = Math.max(1, Number(pageParam) || 1);
      const pageSize = Math.min(1000, Math.max(1, Number(q.get('pageSize')) || 100));
      const slice = list.slice((page - 1) * pageSize, page * pageSize);
      return HttpResponse.json(
        envelope(entity, slice, {
          page,
          pageSize,
          pageCount: Math.ceil(list.length / pageSize),
          itemCount: list.length,
        }),
      );
    }),
  ];
}
