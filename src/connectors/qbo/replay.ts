import { HttpResponse, http, type RequestHandler } from 'msw';

/**
 * A QBO company served by msw handlers: the query language subset we send (where/and, =, >=, <=, >, <,
 * IN; orderby; startposition/maxresults), CDC with deletions, reports, preferences, reads, creates with
 * requestid replay, sparse updates with SyncToken checks (5010), voids and duplicate DocNumber (6140).
 * Used by the tests and by `npm run demo -- --provider qbo`; only the transport differs from production.
 */
type Obj = Record<string, unknown>;

export interface QboDataset {
  realmId: string;
  /** Objects per entity name (`Invoice`, `Payment`, …), as QBO returns them. */
  entities: Record<string, Obj[]>;
  /** Deleted objects, as CDC reports them. */
  deleted?: { entity: string; Id: string; at: string }[];
  reports?: Record<string, Obj>;
  preferences: Obj;
  /** When set, a request with another bearer token gets Intuit's 401 body. */
  accessToken?: string;
}

export interface QboReplay {
  handlers: RequestHandler[];
  dataset: QboDataset;
  /** Requests served, in order (method, path, query, body). */
  served: { method: string; path: string; search: URLSearchParams; body: unknown }[];
}

const HOSTS = /^https:\/\/(sandbox-)?quickbooks\.api\.intuit\.com\/v3\/company\/([^/]+)\/(.+)$/;

const fault = (status: number, code: string, message: string, detail: string, type = 'ValidationFault') =>
  HttpResponse.json(
    { Fault: { Error: [{ Message: message, Detail: detail, code }], type }, time: new Date().toISOString() },
    { status },
  );

function cmp(a: unknown, b: unknown): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && String(a) !== '' && String(b) !== '') return na - nb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function field(o: Obj, path: string): unknown {
  let v: unknown = o;
  for (const p of path.split('.')) v = v && typeof v === 'object' ? (v as Obj)[p] : undefined;
  return v;
}

function literal(s: string): unknown {
  const t = s.trim();
  if (/^'.*'$/.test(t)) return t.slice(1, -1).replace(/\\'/g, "'");
  if (t === 'true' || t === 'false') return t === 'true';
  return t;
}

function matches(o: Obj, where: string | undefined): boolean {
  if (!where) return true;
  return where.split(/\s+and\s+/i).every((cond) => {
    const m = /^(\S+)\s+(>=|<=|=|>|<|IN)\s+(.+)$/i.exec(cond.trim());
    if (!m) throw new Error(`replay: cannot read condition "${cond}"`);
    const [, f = '', op = '', raw = ''] = m;
    const v = field(o, f);
    const isTime = /Time$/.test(f);
    const c = (x: unknown) => (isTime ? Date.parse(String(v)) - Date.parse(String(x)) : cmp(v, x));
    switch (op.toUpperCase()) {
      case '=':
        return String(v ?? (typeof literal(raw) === 'boolean' ? false : '')) === String(literal(raw));
      case '>=':
        return c(literal(raw)) >= 0;
      case '<=':
        return c(literal(raw)) <= 0;
      case '>':
        return c(literal(raw)) > 0;
      case '<':
        return c(literal(raw)) < 0;
      case 'IN':
        return raw
          .replace(/^\(|\)$/g, '')
          .split(',')
          .map((x) => String(literal(x)))
          .includes(String(v));
      default:
        return false;
    }
  });
}

export function createQboReplay(dataset: QboDataset, opts: { now?: () => Date } = {}): QboReplay {
  const now = opts.now ?? (() => new Date());
  const served: QboReplay['served'] = [];
  const requestIds = new Map<string, Obj>();
  const list = (name: string): Obj[] => {
    const key = Object.keys(dataset.entities).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    dataset.entities[key] ??= [];
    return dataset.entities[key];
  };
  const entityName = (name: string) =>
    Object.keys(dataset.entities).find((k) => k.toLowerCase() === name.toLowerCase()) ??
    name.charAt(0).toUpperCase() + name.slice(1);
  const stamp = (o: Obj) => {
    const t = now().toISOString();
    o.MetaData = { ...((o.MetaData as Obj | undefined) ?? { CreateTime: t }), LastUpdatedTime: t };
  };

  const handle = async ({ request }: { request: Request }) => {
    const m = HOSTS.exec(request.url.split('?')[0] ?? '');
    if (!m) return undefined;
    const url = new URL(request.url);
    const path = m[3] ?? '';
    const body =
      request.method === 'POST'
        ? await request
            .clone()
            .json()
            .catch(() => null)
        : null;
    served.push({ method: request.method, path, search: url.searchParams, body });
    if (m[2] !== dataset.realmId)
      return fault(403, '3100', 'ApplicationAuthorizationFailed', 'realm', 'AUTHORIZATION');
    if (dataset.accessToken && request.headers.get('authorization') !== `Bearer ${dataset.accessToken}`) {
      const given = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      return HttpResponse.json(
        {
          warnings: null,
          intuitObject: null,
          fault: {
            error: [
              {
                message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
                detail: `Token expired: ${given.slice(0, 24)}`,
                code: '3200',
                element: null,
              },
            ],
            type: 'AUTHENTICATION',
          },
          time: Date.now(),
        },
        { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="Intuit", error="invalid_token"' } },
      );
    }
    const time = now().toISOString();
    if (request.method === 'GET' && path === 'query') return query(url.searchParams.get('query') ?? '', time);
    if (request.method === 'GET' && path === 'cdc') return cdc(url.searchParams, time);
    if (request.method === 'GET' && path.startsWith('reports/')) {
      const r = dataset.reports?.[path.slice('reports/'.length)];
      return r ? HttpResponse.json(r) : fault(400, '2020', 'Required param missing', 'no such report');
    }
    if (request.method === 'GET' && path === 'preferences')
      return HttpResponse.json({ Preferences: dataset.preferences, time });
    const read = /^(\w+)\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && read) {
      const name = entityName(read[1] ?? '');
      const o = list(name).find((x) => x.Id === read[2]);
      return o
        ? HttpResponse.json({ [name]: o, time })
        : fault(400, '610', 'Object Not Found', `${name} ${read[2]}`);
    }
    if (request.method === 'POST' && /^\w+$/.test(path))
      return write(entityName(path), url.searchParams, body as Obj, time);
    return fault(400, '2010', 'Unsupported', `replay has no ${request.method} ${path}`);
  };

  const query = (q: string, time: string) => {
    const m =
      /^select \* from (\w+)(?: where (.+?))? orderby (\S+)(?: (asc|desc))? startposition (\d+) maxresults (\d+)$/i.exec(
        q.trim(),
      );
    if (!m) return fault(400, '4000', 'Error parsing query', `replay cannot read: ${q}`);
    const [, ent = '', where, orderBy = 'Id', dir, start = '1', max = '1000'] = m;
    if (Number(max) > 1000) return fault(400, '4001', 'Invalid query', 'maxresults above 1000');
    const name = entityName(ent);
    const rows = list(name)
      .filter((o) => matches(o, where))
      .sort((a, b) => cmp(field(a, orderBy), field(b, orderBy)) * (dir?.toLowerCase() === 'desc' ? -1 : 1));
    const page = rows.slice(Number(start) - 1, Number(start) - 1 + Number(max));
    const qr: Obj = { startPosition: Number(start), maxResults: page.length };
    if (page.length > 0) qr[name] = page;
    return HttpResponse.json({ QueryResponse: qr, time });
  };

  const cdc = (p: URLSearchParams, time: string) => {
    const since = Date.parse(p.get('changedSince') ?? '');
    if (!Number.isFinite(since)) return fault(400, '2020', 'Required param missing', 'changedSince');
    const responses = (p.get('entities') ?? '').split(',').map((e) => {
      const name = entityName(e.trim());
      const changed = list(name).filter(
        (o) => Date.parse(String(field(o, 'MetaData.LastUpdatedTime'))) >= since,
      );
      const gone = (dataset.deleted ?? [])
        .filter((d) => d.entity === name && Date.parse(d.at) >= since)
        .map((d) => ({ status: 'Deleted', domain: 'QBO', Id: d.Id, MetaData: { LastUpdatedTime: d.at } }));
      // oldest change first; an answer holds at most 1,000 objects
      const at = (o: Obj) => Date.parse(String(field(o, 'MetaData.LastUpdatedTime')));
      const all = [...changed, ...gone].sort((a, b) => at(a) - at(b)).slice(0, 1000);
      const qr: Obj = { startPosition: 1, maxResults: all.length, totalCount: all.length };
      if (all.length > 0) qr[name] = all;
      return qr;
    });
    return HttpResponse.json({ CDCResponse: [{ QueryResponse: responses }], time });
  };

  const write = (name: string, p: URLSearchParams, body: Obj, time: string) => {
    const op = p.get('operation');
    const rid = p.get('requestid');
    const cacheKey = rid ? `${name}:${op ?? 'create'}:${rid}` : null;
    if (cacheKey && requestIds.has(cacheKey)) return HttpResponse.json(requestIds.get(cacheKey));
    const rows = list(name);
    const answer = (o: Obj) => {
      const out = { [name]: structuredClone(o), time };
      if (cacheKey) requestIds.set(cacheKey, out);
      return HttpResponse.json(out);
    };
    if (!op) {
      if (body.DocNumber && rows.some((r) => r.DocNumber === body.DocNumber))
        return fault(
          400,
          '6140',
          'Duplicate Document Number Error',
          `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${String(body.DocNumber)} is assigned to TxnType=${name} with TxnId=${String(rows.find((r) => r.DocNumber === body.DocNumber)?.Id)}`,
        );
      const id = String(1 + rows.reduce((mx, r) => Math.max(mx, Number(r.Id) || 0), 0));
      const o: Obj = { ...structuredClone(body), Id: id, SyncToken: '0', domain: 'QBO', sparse: false };
      if (name === 'Invoice') {
        const total = ((o.Line as Obj[] | undefined) ?? []).reduce((s, l) => s + Number(l.Amount ?? 0), 0);
        o.TotalAmt = Math.round(total * 100) / 100;
        o.Balance = o.TotalAmt;
        o.DocNumber ??= String(1000 + Number(id));
      }
      if (name === 'Payment') {
        let applied = 0;
        for (const l of (o.Line as Obj[] | undefined) ?? []) {
          for (const t of (l.LinkedTxn as Obj[] | undefined) ?? []) {
            const inv = list('Invoice').find((i) => i.Id === t.TxnId);
            if (inv && t.TxnType === 'Invoice') {
              inv.Balance = Math.round((Number(inv.Balance ?? 0) - Number(l.Amount)) * 100) / 100;
              inv.LinkedTxn = [
                ...((inv.LinkedTxn as Obj[] | undefined) ?? []),
                { TxnId: id, TxnType: 'Payment' },
              ];
              inv.SyncToken = String(Number(inv.SyncToken ?? 0) + 1);
              stamp(inv);
            }
          }
          applied += Number(l.Amount ?? 0);
        }
        o.UnappliedAmt = Math.round((Number(o.TotalAmt ?? 0) - applied) * 100) / 100;
      }
      stamp(o);
      rows.push(o);
      return answer(o);
    }
    const cur = rows.find((r) => r.Id === body.Id);
    if (!cur) return fault(400, '610', 'Object Not Found', `${name} ${String(body.Id)}`);
    if (String(cur.SyncToken) !== String(body.SyncToken))
      return fault(
        400,
        '5010',
        'Stale Object Error',
        `Stale Object Error : You and ${'another user'} were working on the same thing. SyncToken ${String(body.SyncToken)} is not the current one`,
      );
    const voiding = op === 'void' || (op === 'update' && p.get('include') === 'void');
    if (voiding) {
      cur.TotalAmt = 0;
      if ('Balance' in cur) cur.Balance = 0;
      if (name === 'Payment') {
        cur.UnappliedAmt = 0;
        cur.Line = [];
      } else cur.Line = ((cur.Line as Obj[] | undefined) ?? []).map((l) => ({ ...l, Amount: 0 }));
      cur.PrivateNote = 'Voided';
    } else if (op === 'update') {
      const { Id: _i, SyncToken: _s, sparse, ...patch } = body;
      if (sparse === false)
        for (const k of Object.keys(cur))
          if (!['Id', 'SyncToken', 'MetaData', 'domain'].includes(k)) delete cur[k];
      Object.assign(cur, patch);
    } else return fault(400, '2010', 'Unsupported operation', String(op));
    cur.SyncToken = String(Number(cur.SyncToken ?? 0) + 1);
    stamp(cur);
    return answer(cur);
  };

  const handlers = [http.all(/^https:\/\/(sandbox-)?quickbooks\.api\.intuit\.com\/v3\/company\//, handle)];
  return { handlers, dataset, served };
}
