import Stripe from 'stripe';
import { AppError } from '../../lib/errors.js';

/**
 * The only file that talks to Stripe: the official SDK (its fetch HTTP client, retries with Stripe's own
 * idempotent-retry logic), with each call's failure classified by status and error type — never by
 * message text. Results are returned as `unknown` and parsed by wire.ts at the boundary.
 */
export interface StripeList {
  data: unknown[];
  has_more: boolean;
}

export interface StripeApi {
  retrieve(
    kind: 'charges' | 'paymentIntents' | 'refunds' | 'disputes' | 'payouts',
    id: string,
    expand?: string[],
  ): Promise<unknown>;
  list(
    kind: 'charges' | 'refunds' | 'disputes' | 'payouts' | 'events',
    params: Record<string, unknown>,
  ): Promise<StripeList>;
  /** Every balance transaction of an automatic payout (auto-pagination through the SDK). */
  payoutBalanceTransactions(payoutId: string): Promise<unknown[]>;
}

const clients = new Map<string, Stripe>();

function sdk(apiKey: string): Stripe {
  let s = clients.get(apiKey);
  if (!s) {
    s = new Stripe(apiKey, {
      httpClient: Stripe.createFetchHttpClient(),
      maxNetworkRetries: 2,
      timeout: 30_000,
      telemetry: false,
      appInfo: { name: 'ledgerbridge' },
    });
    clients.set(apiKey, s);
  }
  return s;
}

export function classifyStripeError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const se = e as { type?: string; statusCode?: number; code?: string; headers?: Record<string, string> };
  const status = se.statusCode ?? 0;
  const detail = `Stripe ${se.type ?? 'error'}${se.code ? ` (${se.code})` : ''}${status ? `, HTTP ${status}` : ''}`;
  if (se.type === 'StripeAuthenticationError' || status === 401)
    return new AppError('provider_auth_expired', `${detail}: the API key was refused`, { cause: e });
  if (se.type === 'StripePermissionError' || status === 403)
    return new AppError('provider_forbidden', `${detail}: the restricted key lacks a permission`, {
      cause: e,
    });
  if (se.type === 'StripeRateLimitError' || status === 429) {
    const ra = Number(se.headers?.['retry-after']);
    return new AppError('provider_rate_limited', detail, {
      cause: e,
      ...(Number.isFinite(ra) && ra > 0 ? { retryAfterMs: ra * 1000 } : {}),
    });
  }
  if (se.type === 'StripeInvalidRequestError' && status === 404)
    return new AppError('not_found', `${detail}: no such object`, { cause: e });
  if (se.type === 'StripeInvalidRequestError' || status === 400)
    return new AppError('provider_validation', detail, { cause: e });
  if (se.type === 'StripeConnectionError') return new AppError('provider_unavailable', detail, { cause: e });
  if (status >= 500 || se.type === 'StripeAPIError')
    return new AppError('provider_unavailable', detail, { cause: e });
  return new AppError('provider_error', detail, { cause: e });
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw classifyStripeError(e);
  }
}

type Retrievable = { retrieve(id: string, params?: object): Promise<unknown> };
type Listable = { list(params?: object): Promise<StripeList> };

export function stripeApi(apiKey: string): StripeApi {
  const s = sdk(apiKey);
  const resources = s as unknown as Record<string, Retrievable & Listable>;
  return {
    retrieve: (kind, id, expand) =>
      call(() => resources[kind]!.retrieve(id, expand?.length ? { expand } : {})),
    list: (kind, params) => call(() => resources[kind]!.list(params)),
    payoutBalanceTransactions: (payoutId) =>
      call(async () => {
        const out: unknown[] = [];
        // balance_transactions?payout= works for automatic payouts only (Stripe rejects manual ones).
        await s.balanceTransactions
          .list({ payout: payoutId, limit: 100, expand: ['data.source'] })
          .autoPagingEach((b) => {
            out.push(b);
          });
        return out;
      }),
  };
}
