import { AccountingApi, type Invoices, type Payment, type PaymentDelete, ProjectApi } from 'xero-node';
import { AppError } from '../../lib/errors.js';
import { DailyLimitError, realTimer, type Timer, XeroLimiter } from './limits.js';

/**
 * The only file of the Xero connector that does HTTP. It wraps xero-node (pinned at 20.0.0) behind
 * named parameters — the SDK's optional arguments are positional and have shifted between releases —
 * and hands back the raw JSON of the response (`response.data`, the axios body), never the SDK's
 * deserialised models (which turn `/Date(…)/` into JS Dates and drop the offsets). xero-node rejects
 * with JSON strings and has no retry or 429 handling: failures become AppErrors classified by status,
 * headers and body here, every call goes through the org's limiter, and 429s wait as Xero says.
 */

export const XERO_API_BASE = 'https://api.xero.com/api.xro/2.0';
export const XERO_PROJECTS_BASE = 'https://api.xero.com/projects.xro/2.0';

/** List endpoints we read, by their JSON collection key. */
export type XeroListEntity =
  | 'Accounts'
  | 'Contacts'
  | 'Invoices'
  | 'CreditNotes'
  | 'Overpayments'
  | 'Prepayments'
  | 'Payments'
  | 'BankTransactions'
  | 'ManualJournals';

interface Auth {
  tenantId: string;
  accessToken: string;
}

export interface XeroListParams extends Auth {
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
  projectsBasePath?: string;
  timer?: Timer;
  /** Shared by every connector of the process: the limits are per org and per app. */
  limiter?: XeroLimiter;
  /** Attempts for a 429 (minute/concurrent/app) or a 5xx before giving up. */
  maxAttempts?: number;
}

export interface XeroClient {
  readonly limiter: XeroLimiter;
  list(entity: XeroListEntity, p: XeroListParams): Promise<XeroList>;
  creditNote(p: Auth & { creditNoteId: string }): Promise<XeroList>;
  organisation(p: Auth): Promise<XeroRawResponse>;
  /** Journals after `offset` (a JournalNumber), 100 a call. */
  journals(p: Auth & { offset: number; ifModifiedSince?: Date | undefined }): Promise<XeroList>;
  trialBalance(p: Auth & { date: string }): Promise<XeroRawResponse>;
  projects(p: Auth & { page: number; pageSize?: number }): Promise<XeroList>;
  tasks(p: Auth & { projectId: string; page: number; pageSize?: number }): Promise<XeroList>;
  timeEntries(p: Auth & { projectId: string; page: number; pageSize?: number }): Promise<XeroList>;
  /** PUT /Invoices?summarizeErrors=false&unitdp=4, one Idempotency-Key for the batch. */
  createInvoices(p: Auth & { invoices: Invoices; idempotencyKey: string }): Promise<XeroList>;
  createPayment(p: Auth & { payment: Payment; idempotencyKey: string }): Promise<XeroList>;
  deletePayment(p: Auth & { paymentId: string; idempotencyKey: string }): Promise<XeroList>;
}

export function createXeroClient(opts: XeroClientOptions = {}): XeroClient {
  const timer = opts.timer ?? realTimer;
  const limiter = opts.limiter ?? new XeroLimiter(timer);
  const maxAttempts = opts.maxAttempts ?? 6;

  const acc = (accessToken: string): AccountingApi => {
    const a = new AccountingApi(opts.basePath ?? XERO_API_BASE);
    a.accessToken = accessToken;
    return a;
  };
  const proj = (accessToken: string): ProjectApi => {
    const a = new ProjectApi(opts.projectsBasePath ?? XERO_PROJECTS_BASE);
    a.accessToken = accessToken;
    return a;
  };

  /** One logical call: limits, 429 waits, 5xx retries with the same arguments (and idempotency key). */
  async function exec(tenantId: string, fn: () => Promise<SdkResult>): Promise<XeroRawResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await limiter.run(
          tenantId,
          async () => toRaw(await guard(fn)),
          (r) => r.headers,
        );
      } catch (e) {
        if (!(e instanceof AppError) || e instanceof DailyLimitError || attempt >= maxAttempts) throw e;
        if (e.code === 'provider_rate_limited') {
          const problem = (e.details?.problem as string | null | undefined) ?? null;
          const wait = e.retryAfterMs ?? 1000;
          limiter.hold(tenantId, problem, wait);
          if (problem === 'day') throw new DailyLimitError(new Date(timer.now() + wait));
          continue;
        }
        if (
          e.code === 'provider_error' ||
          e.code === 'provider_unavailable' ||
          e.code === 'provider_timeout'
        ) {
          if (!e.retryable) throw e;
          await timer.sleep(500 * 2 ** (attempt - 1));
          continue;
        }
        throw e;
      }
    }
  }

  const listOf = async (key: string, tenantId: string, fn: () => Promise<SdkResult>): Promise<XeroList> => {
    const res = await exec(tenantId, fn);
    const items = res.data[key];
    if (!Array.isArray(items))
      throw new AppError('provider_error', `Xero's answer has no ${key} array`, { retryable: false });
    const pg = res.data.pagination as XeroList['pagination'] | undefined;
    return { ...res, items, pagination: pg ?? null };
  };

  /** The one place positional SDK arguments are spelled out. */
  function listCall(entity: XeroListEntity, p: XeroListParams): Promise<SdkResult> {
    const a = acc(p.accessToken);
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
      case 'ManualJournals':
        return a.getManualJournals(t, ims, p.where, p.order, p.page, p.pageSize);
      default: {
        const never: never = entity;
        throw new Error(`unknown entity ${String(never)}`);
      }
    }
  }

  return {
    limiter,
    list: (entity, p) => listOf(entity, p.tenantId, () => listCall(entity, p)),
    creditNote: (p) =>
      listOf('CreditNotes', p.tenantId, () => acc(p.accessToken).getCreditNote(p.tenantId, p.creditNoteId)),
    organisation: (p) => exec(p.tenantId, () => acc(p.accessToken).getOrganisations(p.tenantId)),
    journals: (p) =>
      listOf('Journals', p.tenantId, () =>
        acc(p.accessToken).getJournals(p.tenantId, p.ifModifiedSince, p.offset),
      ),
    trialBalance: (p) => exec(p.tenantId, () => acc(p.accessToken).getReportTrialBalance(p.tenantId, p.date)),
    projects: (p) =>
      listOf('items', p.tenantId, () =>
        proj(p.accessToken).getProjects(
          p.tenantId,
          undefined,
          undefined,
          undefined,
          p.page,
          p.pageSize ?? 50,
        ),
      ),
    tasks: (p) =>
      listOf('items', p.tenantId, () =>
        proj(p.accessToken).getTasks(p.tenantId, p.projectId, p.page, p.pageSize ?? 50),
      ),
    timeEntries: (p) =>
      listOf('items', p.tenantId, () =>
        proj(p.accessToken).getTimeEntries(
          p.tenantId,
          p.projectId,
          undefined,
          undefined,
          undefined,
          undefined,
          p.page,
          p.pageSize ?? 50,
        ),
      ),
    createInvoices: (p) =>
      listOf('Invoices', p.tenantId, () =>
        acc(p.accessToken).createInvoices(p.tenantId, p.invoices, false, 4, p.idempotencyKey),
      ),
    createPayment: (p) =>
      listOf('Payments', p.tenantId, () =>
        acc(p.accessToken).createPayment(p.tenantId, p.payment, p.idempotencyKey),
      ),
    deletePayment: (p) =>
      listOf('Payments', p.tenantId, () =>
        acc(p.accessToken).deletePayment(
          p.tenantId,
          p.paymentId,
          { status: 'DELETED' } as PaymentDelete,
          p.idempotencyKey,
        ),
      ),
  };
}

function toRaw(r: SdkResult): XeroRawResponse {
  const data = r.response.data;
  if (typeof data !== 'object' || data === null)
    throw new AppError('provider_error', 'Xero answered with a body that is not a JSON object', {
      retryable: false,
    });
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

const LIMIT_HEADERS = [
  'retry-after',
  'x-rate-limit-problem',
  'x-minlimit-remaining',
  'x-daylimit-remaining',
  'x-appminlimit-remaining',
];

/** Classify by status, headers and parsed body — never by message text. */
export function classifyXeroFailure(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const f = parseSdkRejection(e);
  if (!f || f.status === 0)
    return new AppError('provider_unavailable', 'Xero could not be reached', {
      cause: e instanceof Error ? e : undefined,
    });
  const body = (typeof f.body === 'object' && f.body !== null ? f.body : {}) as Record<string, unknown>;
  const headers: Record<string, string> = {};
  for (const h of LIMIT_HEADERS) if (f.headers[h] !== undefined) headers[h] = f.headers[h] as string;
  const details: Record<string, unknown> = { status: f.status, headers };
  if (f.status === 429) {
    const problem = f.headers['x-rate-limit-problem'] ?? null;
    const after = Number(f.headers['retry-after']);
    return new AppError('provider_rate_limited', `Xero rate limit reached (${problem ?? 'unspecified'})`, {
      retryAfterMs: Number.isFinite(after) && after >= 0 ? after * 1000 : 1000,
      details: { ...details, problem },
    });
  }
  if (f.status === 401) {
    // AuthorizationUnsuccessful is a refusal (API tier, scope), not an expired token: it must not reauth
    if (body.Detail === 'AuthorizationUnsuccessful')
      return new AppError(
        'provider_forbidden',
        'Xero refused the call for this app (AuthorizationUnsuccessful)',
        {
          details: { ...details, reason: 'authorization_unsuccessful' },
        },
      );
    return new AppError('provider_auth_expired', 'Xero did not accept the access token', {
      details: {
        ...details,
        reason: String(body.Detail ?? 'TokenInvalid')
          .split(':')[0]!
          .trim(),
      },
    });
  }
  if (f.status === 403)
    return new AppError('provider_forbidden', 'Xero refused the call (403)', {
      details: { ...details, reason: String(body.Detail ?? 'forbidden') },
    });
  if (f.status === 400) {
    const elements = Array.isArray(body.Elements) ? body.Elements : [];
    const messages = elements.flatMap((el) =>
      Array.isArray((el as { ValidationErrors?: unknown }).ValidationErrors)
        ? ((el as { ValidationErrors: { Message?: string }[] }).ValidationErrors.map(
            (v) => v.Message ?? '',
          ) ?? [])
        : [],
    );
    return new AppError(
      'provider_validation',
      `Xero rejected the request (${String(body.Type ?? 'validation')})`,
      {
        details: { ...details, type: body.Type ?? null, errorNumber: body.ErrorNumber ?? null, messages },
      },
    );
  }
  if (f.status === 404) return new AppError('not_found', 'Xero has no such resource', { details });
  if (f.status >= 500) return new AppError('provider_error', `Xero failed (${f.status})`, { details });
  return new AppError('provider_error', `Xero answered ${f.status}`, { details, retryable: false });
}

/** A refusal of Journals for the app's API tier (not an expired token). */
export const isTierRefusal = (e: unknown): boolean =>
  e instanceof AppError &&
  e.code === 'provider_forbidden' &&
  e.details?.reason === 'authorization_unsuccessful';
