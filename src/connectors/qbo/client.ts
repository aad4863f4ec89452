import { createRequire } from 'node:module';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { registerSecret } from '../../lib/redact.js';
import { type QboFailure, qboError } from './errors.js';
import { limiterFor, type RealmLimiter, realTimer, type Timer } from './limiter.js';

/**
 * The only file that talks to QuickBooks Online: node-quickbooks (callback-only, no refresh, errors that
 * carry the bearer token) wrapped in promises, behind the per-realm limiter, with throttling waits,
 * retries of idempotent calls and classified errors. Nothing from the SDK's error objects escapes.
 */
const require = createRequire(import.meta.url);

type Obj = Record<string, unknown>;
type Callback = (err: unknown, data?: unknown, res?: { status?: number; headers?: unknown }) => void;
/** The slice of node-quickbooks we use (methods are looked up by name). */
type Sdk = Record<string, (...args: unknown[]) => void> & { endpoint: string };
type SdkCtor = new (...args: unknown[]) => Sdk;

const QuickBooks = require('node-quickbooks') as SdkCtor;

export const QBO_LIMITS = { perMinute: 500, concurrent: 10 } as const;
export const QBO_MINOR_VERSION = 75;
export const QBO_PAGE_MAX = 1000;

export const QBO_BASE_URL = {
  production: 'https://quickbooks.api.intuit.com/v3/company/',
  sandbox: 'https://sandbox-quickbooks.api.intuit.com/v3/company/',
} as const;

export interface QboClientOptions {
  realmId: string;
  accessToken: () => Promise<string>;
  environment: 'sandbox' | 'production';
  logger: Logger;
  timer?: Timer;
  limiter?: RealmLimiter;
  /** Throttle waits before giving up (each waits Retry-After, default 60 s). */
  maxThrottleRetries?: number;
  /** Retries of a 5xx/network failure for idempotent calls (reads, creates with a requestid). */
  maxRetries?: number;
  /** Per-call timeout (default 60 s). */
  timeoutMs?: number;
}

/** The plural used by node-quickbooks' find* methods. */
const PLURAL: Record<string, string> = {
  Customer: 'Customers',
  Item: 'Items',
  Account: 'Accounts',
  Invoice: 'Invoices',
  CreditMemo: 'CreditMemos',
  Payment: 'Payments',
  Deposit: 'Deposits',
  TimeActivity: 'TimeActivities',
  JournalEntry: 'JournalEntries',
  Purchase: 'Purchases',
  Transfer: 'Transfers',
  SalesReceipt: 'SalesReceipts',
};

export interface QueryPage {
  items: Obj[];
  /** The server's time of the response (the `time` field). */
  time: string | null;
}

export interface CdcResult {
  /** Changed objects per entity name (deleted ones carry `status: "Deleted"` and little else). */
  byEntity: Record<string, Obj[]>;
  time: string | null;
}

function headersOf(h: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h || typeof h !== 'object') return out;
  const entries =
    typeof (h as { toJSON?: unknown }).toJSON === 'function'
      ? Object.entries((h as { toJSON: () => Obj }).toJSON())
      : Object.entries(h as Obj);
  for (const [k, v] of entries)
    if (typeof v === 'string' || typeof v === 'number') out[k.toLowerCase()] = String(v);
  return out;
}

/** What failed, read off an SDK error without keeping it (it holds the Authorization header). */
function failureOf(err: unknown, res?: { status?: number; headers?: unknown }): QboFailure {
  if (err && typeof err === 'object' && ('isAxiosError' in err || 'response' in err || 'config' in err)) {
    const r = (err as { response?: { status?: number; headers?: unknown; data?: unknown } }).response;
    return { status: r?.status ?? null, headers: headersOf(r?.headers), body: r?.data ?? null };
  }
  // a Fault inside an HTTP 200, handed over as the error
  return { status: res?.status ?? 200, headers: headersOf(res?.headers), body: err };
}

export class QboClient {
  readonly realmId: string;
  private readonly timer: Timer;
  private readonly limiter: RealmLimiter;

  constructor(private readonly opts: QboClientOptions) {
    this.realmId = opts.realmId;
    this.timer = opts.timer ?? realTimer;
    this.limiter = opts.limiter ?? limiterFor(opts.realmId, QBO_LIMITS, this.timer);
  }

  private async sdk(): Promise<Sdk> {
    const token = await this.opts.accessToken();
    registerSecret(token);
    const qb = new QuickBooks(
      '',
      '',
      token,
      false,
      this.opts.realmId,
      this.opts.environment === 'sandbox',
      false,
      QBO_MINOR_VERSION,
      '2.0',
      null,
    );
    qb.endpoint = QBO_BASE_URL[this.opts.environment];
    return qb;
  }

  /** One SDK call through the limiter, with throttle waits and (when idempotent) retries. */
  private async call(
    op: string,
    idempotent: boolean,
    invoke: (qb: Sdk, cb: Callback) => void,
  ): Promise<unknown> {
    const maxThrottle = this.opts.maxThrottleRetries ?? 5;
    const maxRetries = idempotent ? (this.opts.maxRetries ?? 3) : 0;
    let throttled = 0;
    let failed = 0;
    for (;;) {
      try {
        return await this.limiter.run(async () => {
          const qb = await this.sdk();
          return new Promise<unknown>((resolve, reject) => {
            // node-quickbooks sets no timeout: give up on the call (its slot is freed; a create is safe
            // to retry under the same requestid)
            const timeoutMs = this.opts.timeoutMs ?? 60_000;
            const timeout = setTimeout(
              () => reject(new AppError('provider_timeout', `QBO ${op} timed out after ${timeoutMs} ms`)),
              timeoutMs,
            );
            timeout.unref?.();
            invoke(qb, (err, data, res) => {
              clearTimeout(timeout);
              if (err) reject(qboError(op, failureOf(err, res), this.timer.now()));
              else resolve(data);
            });
          });
        });
      } catch (e) {
        if (!(e instanceof AppError)) throw new AppError('provider_error', `QBO ${op} failed unexpectedly`);
        if (e.code === 'provider_rate_limited' && throttled < maxThrottle) {
          throttled++;
          const wait = e.retryAfterMs ?? 60_000;
          this.opts.logger.warn(
            { op, realmId: this.realmId, waitMs: wait },
            'QBO throttled the call; waiting',
          );
          await this.timer.sleep(wait);
          continue;
        }
        if (e.retryable && e.code !== 'provider_rate_limited' && failed < maxRetries) {
          failed++;
          await this.timer.sleep(500 * 2 ** failed);
          continue;
        }
        throw e;
      }
    }
  }

  /** One page of a query: `select * from <entity> [where …] orderby <orderBy> startposition … maxresults …`. */
  async query(
    entity: string,
    where: string | null,
    orderBy: string,
    start: number,
    max: number,
  ): Promise<QueryPage> {
    const plural = PLURAL[entity];
    if (!plural) throw new AppError('internal', `no query for QBO entity ${entity}`);
    if (max > QBO_PAGE_MAX) throw new AppError('internal', `QBO pages hold at most ${QBO_PAGE_MAX}`);
    const criteria = `${where ? `where ${where} ` : ''}orderby ${orderBy} startposition ${start} maxresults ${max}`;
    const data = (await this.call(`query ${entity}`, true, (qb, cb) =>
      qb[`find${plural}`]?.(criteria, cb),
    )) as { QueryResponse?: Obj; time?: string };
    const qr = data.QueryResponse ?? {};
    const items = Array.isArray(qr[entity]) ? (qr[entity] as Obj[]) : [];
    return { items, time: typeof data.time === 'string' ? data.time : null };
  }

  async cdc(entities: string[], since: Date): Promise<CdcResult> {
    const changedSince = since.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const data = (await this.call('cdc', true, (qb, cb) =>
      qb.changeDataCapture?.(entities, changedSince, cb),
    )) as {
      CDCResponse?: { QueryResponse?: Obj[] }[];
      time?: string;
    };
    const byEntity: Record<string, Obj[]> = {};
    for (const resp of data.CDCResponse ?? []) {
      for (const qr of resp.QueryResponse ?? []) {
        for (const [k, v] of Object.entries(qr)) {
          if (Array.isArray(v)) byEntity[k] = [...(byEntity[k] ?? []), ...(v as Obj[])];
        }
      }
    }
    return { byEntity, time: typeof data.time === 'string' ? data.time : null };
  }

  async report(
    name: 'GeneralLedger' | 'TrialBalance' | 'AgedReceivables',
    params: Record<string, string>,
  ): Promise<Obj> {
    const method = {
      GeneralLedger: 'reportGeneralLedgerDetail',
      TrialBalance: 'reportTrialBalance',
      AgedReceivables: 'reportAgedReceivables',
    }[name];
    return (await this.call(`report ${name}`, true, (qb, cb) => qb[method]?.(params, cb))) as Obj;
  }

  async read(entity: 'Invoice' | 'Payment' | 'CreditMemo' | 'Customer', id: string): Promise<Obj> {
    return (await this.call(`read ${entity}`, true, (qb, cb) => qb[`get${entity}`]?.(id, cb))) as Obj;
  }

  async preferences(): Promise<Obj> {
    return (await this.call('read Preferences', true, (qb, cb) => qb.getPreferences?.(cb))) as Obj;
  }

  /** Create with a requestid: QBO answers a repeated requestid with the first result, so retries are safe. */
  async create(entity: 'Invoice' | 'Payment', body: Obj, requestId: string): Promise<Obj> {
    return (await this.call(`create ${entity}`, true, (qb, cb) =>
      qb[`create${entity}`]?.({ ...structuredClone(body), requestId }, cb),
    )) as Obj;
  }

  /** A sparse update (or a void of a payment); `body` carries Id and SyncToken. */
  async update(entity: 'Invoice' | 'Payment', body: Obj, requestId: string): Promise<Obj> {
    return (await this.call(`update ${entity}`, true, (qb, cb) =>
      qb[`update${entity}`]?.({ ...structuredClone(body), requestId }, cb),
    )) as Obj;
  }

  /** Void: invoices through `operation=void`, payments through a sparse update with `include=void`. */
  async void(
    entity: 'Invoice' | 'Payment',
    ref: { Id: string; SyncToken: string },
    requestId: string,
  ): Promise<Obj> {
    return (await this.call(`void ${entity}`, true, (qb, cb) =>
      qb[`void${entity}`]?.({ Id: ref.Id, SyncToken: ref.SyncToken, sparse: true, requestId }, cb),
    )) as Obj;
  }
}
