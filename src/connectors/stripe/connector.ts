import type {
  CanonicalRecord,
  ConnCtx,
  Connector,
  Cursor,
  EntityKind,
  Page,
  RecordError,
} from '../connector.js';
import { type StripeApi, stripeApi } from './client.js';
import { mapBalanceTransaction, mapCharge, mapDispute, mapPayout, mapRefund } from './map.js';
import {
  refId,
  WireBalanceTransaction,
  WireCharge,
  WireDispute,
  WireEvent,
  WirePaymentIntent,
  WirePayout,
  WireRefund,
} from './wire.js';

/**
 * The Stripe connector: pulls charges (with their payment intent and balance transaction), refunds,
 * disputes and payouts page by page, a catch-up through /v1/events (Stripe keeps 30 days) that
 * re-fetches every object an event touched, and the explosion of an automatic payout into its balance
 * transactions. The API key is the connection's restricted key (`ctx.accessToken()`).
 */
export type StripeObjectType = 'charge' | 'payment_intent' | 'refund' | 'dispute' | 'payout';

export interface StripeConnector extends Connector {
  /** Re-fetch the object an event is about (and what hangs on it): the final state, whatever the order. */
  fetchObject(ctx: ConnCtx, objectType: string, objectId: string): Promise<CanonicalRecord[]>;
  /** An automatic payout's balance transactions (and the charges, refunds, disputes they settle). */
  explodePayout(ctx: ConnCtx, payoutId: string): Promise<CanonicalRecord[]>;
}

const PAGE = 100;
const KINDS = [
  'stripe_payments',
  'stripe_refunds',
  'stripe_disputes',
  'stripe_payouts',
  'stripe_events',
] as const;
type StripeKind = (typeof KINDS)[number];

interface StripeCursor {
  /** Unix seconds: objects created at or after it. */
  since: number;
  /** Paging inside the window (Stripe lists newest first). */
  after: string | null;
  /** The newest `created` seen in this window: the next window starts there. */
  high: number;
}

const isStripeKind = (k: EntityKind): k is StripeKind => (KINDS as readonly string[]).includes(k);

function readCursor(c: Cursor | null): StripeCursor {
  const since = typeof c?.since === 'number' ? c.since : 0;
  const after = typeof c?.after === 'string' ? c.after : null;
  const high = typeof c?.high === 'number' ? c.high : since;
  return { since, after, high };
}

export function createStripeConnector(apiFor: (apiKey: string) => StripeApi = stripeApi): StripeConnector {
  const api = async (ctx: ConnCtx) => apiFor(await ctx.accessToken());

  async function chargeRecords(s: StripeApi, chargeId: string): Promise<CanonicalRecord[]> {
    const raw = await s.retrieve('charges', chargeId, ['balance_transaction', 'payment_intent']);
    const charge = WireCharge.parse(raw);
    const out: CanonicalRecord[] = [{ kind: 'stripe_payment', data: mapCharge(charge), raw }];
    if (charge.amount_refunded > 0) {
      const refunds = await s.list('refunds', { charge: charge.id, limit: PAGE });
      for (const r of refunds.data)
        out.push({ kind: 'stripe_refund', data: mapRefund(WireRefund.parse(r)), raw: r });
    }
    return out;
  }

  async function fetchObject(ctx: ConnCtx, objectType: string, objectId: string): Promise<CanonicalRecord[]> {
    const s = await api(ctx);
    switch (objectType as StripeObjectType) {
      case 'charge':
        return chargeRecords(s, objectId);
      case 'payment_intent': {
        const pi = WirePaymentIntent.parse(await s.retrieve('paymentIntents', objectId));
        const chargeId = refId(pi.latest_charge);
        return chargeId ? chargeRecords(s, chargeId) : [];
      }
      case 'refund': {
        const raw = await s.retrieve('refunds', objectId);
        const refund = WireRefund.parse(raw);
        const chargeId = refId(refund.charge);
        const rest = chargeId ? await chargeRecords(s, chargeId) : [];
        return [{ kind: 'stripe_refund', data: mapRefund(refund), raw }, ...rest];
      }
      case 'dispute': {
        const raw = await s.retrieve('disputes', objectId, ['charge', 'charge.payment_intent']);
        const dispute = WireDispute.parse(raw);
        const chargeId = refId(dispute.charge);
        const rest = chargeId ? await chargeRecords(s, chargeId) : [];
        return [{ kind: 'stripe_dispute', data: mapDispute(dispute), raw }, ...rest];
      }
      case 'payout': {
        const raw = await s.retrieve('payouts', objectId);
        return [{ kind: 'stripe_payout', data: mapPayout(WirePayout.parse(raw)), raw }];
      }
      default:
        return []; // events about other objects (customers, balance …) carry nothing we keep
    }
  }

  async function explodePayout(ctx: ConnCtx, payoutId: string): Promise<CanonicalRecord[]> {
    const s = await api(ctx);
    const rows = await s.payoutBalanceTransactions(payoutId);
    const out: CanonicalRecord[] = [];
    for (const raw of rows) {
      const b = WireBalanceTransaction.parse(raw);
      out.push({ kind: 'stripe_balance_transaction', data: mapBalanceTransaction(b, payoutId), raw });
      const src = b.source;
      if (!src || typeof src === 'string') continue;
      // The expanded source: the charge (settled by this very transaction), refund or dispute.
      if (src.object === 'charge') {
        const charge = WireCharge.parse({ ...src, balance_transaction: raw });
        out.push({ kind: 'stripe_payment', data: mapCharge(charge), raw: src });
      } else if (src.object === 'refund') {
        out.push({ kind: 'stripe_refund', data: mapRefund(WireRefund.parse(src)), raw: src });
      } else if (src.object === 'dispute') {
        out.push({ kind: 'stripe_dispute', data: mapDispute(WireDispute.parse(src)), raw: src });
      }
    }
    return out;
  }

  async function pullList(
    ctx: ConnCtx,
    kind: Exclude<StripeKind, 'stripe_events'>,
    cursor: StripeCursor,
  ): Promise<Page> {
    const s = await api(ctx);
    const resource = (
      {
        stripe_payments: 'charges',
        stripe_refunds: 'refunds',
        stripe_disputes: 'disputes',
        stripe_payouts: 'payouts',
      } as const
    )[kind];
    const expand =
      kind === 'stripe_payments'
        ? ['data.balance_transaction', 'data.payment_intent']
        : kind === 'stripe_disputes'
          ? ['data.charge']
          : [];
    const list = await s.list(resource, {
      limit: PAGE,
      created: { gte: cursor.since },
      ...(cursor.after ? { starting_after: cursor.after } : {}),
      ...(expand.length ? { expand } : {}),
    });
    const records: CanonicalRecord[] = [];
    const errors: RecordError[] = [];
    let high = cursor.high;
    let lastId: string | null = null;
    for (const raw of list.data) {
      const o = raw as { id?: unknown; created?: unknown };
      lastId = typeof o.id === 'string' ? o.id : lastId;
      if (typeof o.created === 'number') high = Math.max(high, o.created);
      try {
        records.push(mapListed(kind, raw));
      } catch (e) {
        errors.push({
          entity: kind,
          externalId: typeof o.id === 'string' ? o.id : null,
          field: null,
          message: e instanceof Error ? e.message : String(e),
          raw,
        });
      }
    }
    return nextPage(records, errors, cursor, list.has_more, lastId, high);
  }

  async function pullEvents(ctx: ConnCtx, cursor: StripeCursor): Promise<Page> {
    const s = await api(ctx);
    const list = await s.list('events', {
      limit: PAGE,
      created: { gte: cursor.since },
      ...(cursor.after ? { starting_after: cursor.after } : {}),
    });
    const seen = new Set<string>();
    const records: CanonicalRecord[] = [];
    const errors: RecordError[] = [];
    let high = cursor.high;
    let lastId: string | null = null;
    for (const raw of list.data) {
      const ev = WireEvent.safeParse(raw);
      if (!ev.success) continue;
      lastId = ev.data.id;
      high = Math.max(high, ev.data.created);
      const obj = ev.data.data.object;
      const key = `${obj.object}:${obj.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        records.push(...(await fetchObject(ctx, obj.object, obj.id)));
      } catch (e) {
        errors.push({
          entity: 'stripe_events',
          externalId: obj.id,
          field: null,
          message: e instanceof Error ? e.message : String(e),
          raw,
        });
      }
    }
    return nextPage(records, errors, cursor, list.has_more, lastId, high);
  }

  return {
    provider: 'stripe',
    // Stripe: 100 read requests/s in live mode, 25 in test mode; stay well below.
    limits: { perMinute: 1500, concurrent: 10 },
    kinds: KINDS,
    async pull(ctx, kind, cursor) {
      if (!isStripeKind(kind)) return { records: [], errors: [], next: null, done: true };
      const c = readCursor(cursor);
      return kind === 'stripe_events' ? pullEvents(ctx, c) : pullList(ctx, kind, c);
    },
    fetchObject,
    explodePayout,
  };
}

function mapListed(kind: Exclude<StripeKind, 'stripe_events'>, raw: unknown): CanonicalRecord {
  switch (kind) {
    case 'stripe_payments':
      return { kind: 'stripe_payment', data: mapCharge(WireCharge.parse(raw)), raw };
    case 'stripe_refunds':
      return { kind: 'stripe_refund', data: mapRefund(WireRefund.parse(raw)), raw };
    case 'stripe_disputes':
      return { kind: 'stripe_dispute', data: mapDispute(WireDispute.parse(raw)), raw };
    case 'stripe_payouts':
      return { kind: 'stripe_payout', data: mapPayout(WirePayout.parse(raw)), raw };
    default: {
      const never: never = kind;
      throw new Error(`unknown kind ${String(never)}`);
    }
  }
}

function nextPage(
  records: CanonicalRecord[],
  errors: RecordError[],
  cursor: StripeCursor,
  hasMore: boolean,
  lastId: string | null,
  high: number,
): Page {
  if (hasMore && lastId) {
    return { records, errors, next: { since: cursor.since, after: lastId, high }, done: false };
  }
  // The window is done: the next pull starts at the newest object seen (re-reading that second is a no-op).
  return { records, errors, next: { since: high, after: null, high }, done: true };
}

export const stripeConnector: StripeConnector = createStripeConnector();
