import { HttpResponse, http, type RequestHandler } from 'msw';
import { formatMinor, lineAmountMinor, toMinor } from '../../canonical/index.js';
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
  projectsBasePath?: string;
  /** The replayed server's clock (UpdatedDateUTC of writes). */
  now?: () => number;
  /** Ids for created records, in order (default: deterministic counters). */
  newId?: (entity: string) => string;
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

  const projectsBase = opts.projectsBasePath ?? 'https://api.xero.com/projects.xro/2.0';
  const now = opts.now ?? (() => Date.now());
  let seq = 0;
  const newId =
    opts.newId ??
    ((entity: string) =>
      `00000000-0000-4000-a000-${String(++seq).padStart(12, '0')}`.replace(
        'a000',
        entity === 'Payments' ? 'b000' : 'a000',
      ));
  /** Xero remembers an Idempotency-Key for a while and answers a repeat with the first answer. */
  const remembered = new Map<string, { status: number; body: unknown }>();
  const stamp = () => `/Date(${now()}+0000)/`;
  const list = (entity: string): Row[] => {
    if (!Array.isArray(dataset[entity])) dataset[entity] = [];
    return dataset[entity] as Row[];
  };

  const idempotent = async (request: Request, run: () => { status: number; body: unknown }) => {
    const key = request.headers.get('idempotency-key');
    const scope = key ? `${request.method} ${new URL(request.url).pathname} ${key}` : null;
    const seen = scope ? remembered.get(scope) : undefined;
    const out = seen ?? run();
    if (scope && !seen) remembered.set(scope, out);
    return HttpResponse.json(out.body as Record<string, unknown>, { status: out.status });
  };

  /** Recompute an invoice's AmountDue/AmountPaid/Status from its active payments. */
  const settle = (invoiceId: string) => {
    const inv = list('Invoices').find((i) => i.InvoiceID === invoiceId);
    if (!inv) return;
    const cur = String(inv.CurrencyCode ?? 'USD');
    const paid = list('Payments')
      .filter((p) => (p.Invoice as Row | undefined)?.InvoiceID === invoiceId && p.Status === 'AUTHORISED')
      .reduce((a, p) => a + toMinor(p.Amount as number, cur), 0);
    const total = toMinor(inv.Total as number, cur);
    inv.AmountPaid = Number(formatMinor(paid, cur));
    inv.AmountDue = Number(formatMinor(total - paid, cur));
    if (inv.Status === 'PAID' || inv.Status === 'AUTHORISED')
      inv.Status = total - paid === 0 ? 'PAID' : 'AUTHORISED';
    inv.UpdatedDateUTC = stamp();
  };

  const accountCodes = () => new Set(list('Accounts').map((a) => String(a.Code)));

  return [
    // --- writes -------------------------------------------------------------------------------
    http.put(`${base}/Invoices`, async ({ request }) => {
      const g = guard(request);
      if (g) return g;
      const body = (await request.json()) as { Invoices?: Row[] };
      const summarize = new URL(request.url).searchParams.get('summarizeErrors') !== 'false';
      return idempotent(request, () => {
        const codes = accountCodes();
        const results = (body.Invoices ?? []).map((el) => {
          const cur = String(
            el.CurrencyCode ?? (dataset.Organisation as Row | undefined)?.BaseCurrency ?? 'USD',
          );
          const lines = ((el.LineItems as Row[] | undefined) ?? []).map((l) => {
            const bad = l.AccountCode !== undefined && !codes.has(String(l.AccountCode));
            const amt = lineAmountMinor(String(l.Quantity ?? 1), String(l.UnitAmount ?? 0), cur);
            return {
              ...l,
              LineAmount: Number(formatMinor(amt, cur)),
              TaxAmount: 0,
              ValidationErrors: bad
                ? [
                    {
                      Message: `Account code '${String(l.AccountCode)}' is not a valid code for this document.`,
                    },
                  ]
                : [],
              _minor: amt,
            };
          });
          const errors = lines.flatMap((l) => l.ValidationErrors);
          if (errors.length > 0)
            return {
              ...el,
              HasErrors: true,
              StatusAttributeString: 'ERROR',
              ValidationErrors: errors,
              LineItems: lines.map(({ _minor, ...l }) => l),
            };
          const total = lines.reduce((a, l) => a + l._minor, 0);
          const created: Row = {
            ...el,
            InvoiceID: newId('Invoices'),
            InvoiceNumber: el.InvoiceNumber ?? `INV-${String(list('Invoices').length + 1).padStart(4, '0')}`,
            Status: el.Status ?? 'DRAFT',
            LineAmountTypes: el.LineAmountTypes ?? 'Exclusive',
            LineItems: lines.map(({ _minor, ...l }) => ({ ...l, LineItemID: newId('LineItems') })),
            SubTotal: Number(formatMinor(total, cur)),
            TotalTax: 0,
            Total: Number(formatMinor(total, cur)),
            AmountDue: Number(formatMinor(total, cur)),
            AmountPaid: 0,
            CurrencyCode: cur,
            CurrencyRate: el.CurrencyRate ?? 1,
            UpdatedDateUTC: stamp(),
            HasErrors: false,
            StatusAttributeString: 'OK',
          };
          list('Invoices').push(created);
          return created;
        });
        if (summarize && results.some((r) => r.HasErrors === true))
          return {
            status: 400,
            body: {
              ErrorNumber: 10,
              Type: 'ValidationException',
              Message: 'A validation exception occurred',
              Elements: results,
            },
          };
        return { status: 200, body: envelope('Invoices', results) };
      });
    }),
    http.all(`${base}/Payments`, async ({ request }) => {
      // Xero creates payments with PUT or POST alike (xero-node's createPayment POSTs)
      if (request.method !== 'PUT' && request.method !== 'POST') return undefined;
      const g = guard(request);
      if (g) return g;
      const body = (await request.json()) as Row & { Payments?: Row[] };
      return idempotent(request, () => {
        const els = body.Payments ?? [body];
        const out = els.map((el) => {
          const invId = String((el.Invoice as Row | undefined)?.InvoiceID ?? '');
          const inv = list('Invoices').find((i) => i.InvoiceID === invId);
          if (!inv)
            return {
              ...el,
              HasValidationErrors: true,
              ValidationErrors: [{ Message: 'Invoice could not be found' }],
            };
          const created: Row = {
            PaymentID: newId('Payments'),
            Date: el.Date,
            Amount: el.Amount,
            BankAmount: el.Amount,
            Reference: el.Reference ?? '',
            CurrencyRate: 1,
            PaymentType: 'ACCRECPAYMENT',
            Status: 'AUTHORISED',
            UpdatedDateUTC: stamp(),
            IsReconciled: false,
            Account: el.Account,
            Invoice: {
              InvoiceID: invId,
              InvoiceNumber: inv.InvoiceNumber,
              Type: 'ACCREC',
              Contact: inv.Contact,
              CurrencyCode: inv.CurrencyCode,
            },
            HasValidationErrors: false,
          };
          list('Payments').push(created);
          settle(invId);
          return created;
        });
        const failed = out.some((o) => o.HasValidationErrors === true);
        return failed && !body.Payments
          ? { status: 400, body: { ErrorNumber: 10, Type: 'ValidationException', Elements: out } }
          : { status: 200, body: envelope('Payments', out) };
      });
    }),
    http.post(`${base}/Payments/:id`, async ({ request, params }) => {
      const g = guard(request);
      if (g) return g;
      const body = (await request.json()) as Row;
      return idempotent(request, () => {
        const p = list('Payments').find((x) => x.PaymentID === params.id);
        if (!p) return { status: 404, body: { Title: 'Not Found', Status: 404 } };
        if (body.Status === 'DELETED') {
          p.Status = 'DELETED';
          p.UpdatedDateUTC = stamp();
          settle(String((p.Invoice as Row | undefined)?.InvoiceID ?? ''));
        }
        return { status: 200, body: envelope('Payments', [p]) };
      });
    }),
    // --- GL --------------------------------------------------------------------------------------
    http.get(`${base}/Journals`, ({ request }) => {
      const g = guard(request);
      if (g) return g;
      if (dataset.JournalsRefused)
        return HttpResponse.json(
          {
            Detail: 'AuthorizationUnsuccessful',
            Extensions: {},
            Instance: '5265a683-f31e-436e-8a24-e795e9eef70d',
            Status: 401,
            Title: 'Unauthorized',
            Type: null,
          },
          { status: 401 },
        );
      const offset = Number(new URL(request.url).searchParams.get('offset') ?? 0);
      const all = rows(dataset, 'Journals')
        .filter((j) => Number(j.JournalNumber) > offset)
        .sort((a, b) => Number(a.JournalNumber) - Number(b.JournalNumber));
      return HttpResponse.json(envelope('Journals', all.slice(0, 100)));
    }),
    http.get(`${base}/Reports/TrialBalance`, ({ request }) => {
      const g = guard(request);
      if (g) return g;
      const date = new URL(request.url).searchParams.get('date') ?? '';
      const reports = (dataset.TrialBalance ?? {}) as Record<string, unknown>;
      const report = reports[date];
      if (!report)
        return HttpResponse.json(
          { Title: 'Bad Request', Detail: `no trial balance for ${date}` },
          { status: 400 },
        );
      return HttpResponse.json({ Id: 'tb', Status: 'OK', Reports: [report] });
    }),
    // --- Projects API ----------------------------------------------------------------------------
    http.get(`${projectsBase}/projects`, ({ request }) => {
      const g = guard(request);
      if (g) return g;
      return HttpResponse.json(projectsPage(rows(dataset, 'Projects'), new URL(request.url)));
    }),
    http.get(`${projectsBase}/projects/:projectId/tasks`, ({ request, params }) => {
      const g = guard(request);
      if (g) return g;
      const all = rows(dataset, 'ProjectTasks').filter((t) => t.projectId === params.projectId);
      return HttpResponse.json(projectsPage(all, new URL(request.url)));
    }),
    http.get(`${projectsBase}/projects/:projectId/time`, ({ request, params }) => {
      const g = guard(request);
      if (g) return g;
      const all = rows(dataset, 'ProjectTime').filter((t) => t.projectId === params.projectId);
      return HttpResponse.json(projectsPage(all, new URL(request.url)));
    }),
    // --- reads -----------------------------------------------------------------------------------
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
      if (!(entity in ID_FIELDS)) return undefined;
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

function projectsPage(all: Row[], url: URL): Row {
  const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
  const pageSize = Math.min(500, Math.max(1, Number(url.searchParams.get('pageSize')) || 50));
  return {
    pagination: {
      page,
      pageSize,
      pageCount: Math.max(1, Math.ceil(all.length / pageSize)),
      itemCount: all.length,
    },
    items: all.slice((page - 1) * pageSize, page * pageSize),
  };
}
