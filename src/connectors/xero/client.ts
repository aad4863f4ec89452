import { AccountingApi } from 'xero-node';
import { AppError } from '../../lib/errors.js';

/**
 * The only file of the Xero connector that does HTTP. It wraps xero-node (pinned at 20.0.0) behind
 * named parameters — the SDK's optional arguments are positional and have shifted between releases —
 * and hands back the raw JSON of the response (`response.data`, the axios body), never the SDK's
 * deserialised models (which turn `/Date(…)/` into JS Dates and drop the offsets).
 */

export const XERO_API_BASE = 'https://api.xero.com/api.xro/2.0';

/** List endpoints we read, by their JSON collection key. */
export type XeroListEntity =
  | 'Accounts'
  | 'Contacts'
  | 'Invoices'
  | 'CreditNotes'
  | 'Overpayments'
  | 'Prepayments'
  | 'Payments'
  | 'BankTransactions';

export interface XeroListParams {
  tenantId: string;
  accessToken: string;
  ifModifiedSince?: Date | undefined;
  where?: string | undefined;
  order?: string | undefined;
  page?: number | undefined;
  pageSize?: number | undefined;
  statuses?: readonly string[] | undefined;
  ids?: readonly string[] | undefined;
  includeArchived?: boolean | undefined;
  unitdp?: 4 | undefined;
}

export interface XeroRawResponse {
  status: number;
  headers: Record<string, string>;
  /** The JSON body as Xero sent it. */
  data: Record<string, unknown>;
}

export interface XeroList extends XeroRawResponse {
  items: unknown[];
  pagination: { page: number; pageSize: number; pageCount: number; itemCount: number } | null;
}

interface SdkResult {
  response: { status: number; headers: Record<string, unknown>; data: unknown };
}

export interface XeroClientOptions {
  basePath?: string;
}

export interface XeroClient {
  list(entity: XeroListEntity, p: XeroListParams): Promise<XeroList>;
  organisation(p: { tenantId: string; accessToken: string }): Promise<XeroRawResponse>;
}

export function createXeroClient(opts: XeroClientOptions = {}): XeroClient {
  const api = (accessToken: string): AccountingApi => {
    const a = new AccountingApi(opts.basePath ?? XERO_API_BASE);
    a.accessToken = accessToken;
    return a;
  };

  /** The one place positional SDK arguments are spelled out. */
  function call(entity: XeroListEntity, p: XeroListParams): Promise<SdkResult> {
    const a = api(p.accessToken);
    const t = p.tenantId;
    const ims = p.ifModifiedSince;
    const ids = p.ids ? [...p.ids] : undefined;
    const statuses = p.statuses ? [...p.statuses] : undefined;
    switch (entity) {
      case 'Accounts':
        return a.getAccounts(t, ims, p.where, p.order);
      case 'Contacts':
        return a.getContacts(
          t,
          ims,
          p.where,
          p.order,
          ids,
          p.page,
          p.includeArchived,
          undefined,
          undefined,
          p.pageSize,
        );
      case 'Invoices':
        return a.getInvoices(
          t,
          ims,
          p.where,
          p.order,
          ids,
          undefined,
          undefined,
          statuses,
          p.page,
          p.includeArchived,
          undefined,
          p.unitdp,
          undefined,
          p.pageSize,
        );
      case 'CreditNotes':
        return a.getCreditNotes(t, ims, p.where, p.order, p.page, p.unitdp, p.pageSize);
      case 'Overpayments':
        return a.getOverpayments(t, ims, p.where, p.order, p.page, p.unitdp, p.pageSize);
      case 'Prepayments':
        return a.getPrepayments(t, ims, p.where, p.order, p.page, p.unitdp, p.pageSize);
      case 'Payments':
        return a.getPayments(t, ims, p.where, p.order, p.page, p.pageSize);
      case 'BankTransactions':
        return a.getBankTransactions(t, ims, p.where, p.order, p.page, p.unitdp, p.pageSize);
      default: {
        const never: never = entity;
        throw new Error(`unknown entity ${String(never)}`);
      }
    }
  }

  return {
    async list(entity, p) {
      const res = toRaw(await guard(() => call(entity, p)));
      const items = res.data[entity];
      if (!Array.isArray(items))
        throw new AppError('provider_error', `Xero ${entity} response has no ${entity} array`, {
          retryable: false,
        });
      const pg = res.data.pagination as XeroList['pagination'] | undefined;
      return { ...res, items, pagination: pg ?? null };
    },
    async organisation(p) {
      return toRaw(await guard(() => api(p.accessToken).getOrganisations(p.tenantId)));
    },
  };
}

function toRaw(r: SdkResult): XeroRawResponse {
  const data = r.response.data;
  if (typeof data !== 'object' || data === null)
    throw new AppError('provider_error', 'Xero answered with a body that is not a JSON object');
  return {
    status: r.response.status,
    headers: flatHeaders(r.response.headers),
    data: data as Record<string, unknown>,
  };
}

function flatHeaders(h: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {}))
    if (v !== undefined && v !== null) out[k.toLowerCase()] = String(v);
  return out;
}

/** xero-node rejects with a JSON string (`{response:{statusCode,body,headers}}`), not an Error. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw classifyXeroFailure(e);
  }
}

export interface XeroFailure {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function parseSdkRejection(e: unknown): XeroFailure | null {
  let v: unknown = e;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (typeof v !== 'object' || v === null) return null;
  const r = (
    v as {
      response?: {
        statusCode?: unknown;
        status?: unknown;
        headers?: unknown;
        body?: unknown;
        data?: unknown;
      };
    }
  ).response;
  if (!r) return null;
  const status =
    typeof r.statusCode === 'number' ? r.statusCode : typeof r.status === 'number' ? r.status : 0;
  return {
    status,
    headers: flatHeaders(r.headers as Record<string, unknown>),
    body: r.body ?? r.data ?? null,
  };
}

/** Classify by status, headers and parsed body — never by message text. */
export function classifyXeroFailure(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const f = parseSdkRejection(e);
  if (!f || f.status === 0)
    return new AppError('provider_unavailable', 'Xero could not be reached', {
      cause: e instanceof Error ? e : undefined,
    });
  const body = (typeof f.body === 'object' && f.body !== null ? f.body : {}) as Record<string, unknown>;
  const details = { status: f.status, problem: body.Title ?? body.Type ?? body.title ?? null };
  if (f.status === 429) {
    const after = Number(f.headers['retry-after'] ?? '60');
    return new AppError(
      'provider_rate_limited',
      `Xero rate limit (${f.headers['x-rate-limit-problem'] ?? 'unknown'})`,
      {
        retryAfterMs: (Number.isFinite(after) ? after : 60) * 1000,
        details: { ...details, problem: f.headers['x-rate-limit-problem'] ?? null },
      },
    );
  }
  if (f.status === 401) {
    const detail = String(body.Detail ?? body.detail ?? '');
    // AuthorizationUnsuccessful is a refusal (API tier, scope), not an expired token: it must not reauth
    if (detail === 'AuthorizationUnsuccessful')
      return new AppError(
        'provider_forbidden',
        'Xero refused the call for this app (AuthorizationUnsuccessful)',
        {
          details: { ...details, reason: 'authorization_unsuccessful' },
        },
      );
    return new AppError('provider_auth_expired', 'Xero did not accept the access token', { details });
  }
  if (f.status === 403) return new AppError('provider_forbidden', 'Xero refused the call (403)', { details });
  if (f.status === 400)
    return new AppError('provider_validation', 'Xero rejected the request', {
      details: { ...details, body },
    });
  if (f.status === 404) return new AppError('not_found', 'Xero has no such resource', { details });
  if (f.status >= 500) return new AppError('provider_error', `Xero failed (${f.status})`, { details });
  return new AppError('provider_error', `Xero answered ${f.status}`, { details, retryable: false });
}
