import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import type { StripeBalanceTransaction, StripePayout } from '../canonical/stripe.js';
import type { CanonicalRecord } from '../connectors/connector.js';
import { type StripeConnector, stripeConnector } from '../connectors/stripe/connector.js';
import { WireEvent } from '../connectors/stripe/wire.js';
import {
  stripeBalanceTransactions,
  stripeDisputes,
  stripePayouts,
  stripeSettlements,
} from '../db/schema/index.js';
import type { AppDeps } from '../http/deps.js';
import { AppError } from '../lib/errors.js';
import { applyDisputes } from '../reconcile/stripe/invoices.js';
import {
  raiseManualPayout,
  reconcileDeposits,
  recordSettlement,
  reverseSettlement,
  type Scope,
} from '../reconcile/stripe/payouts.js';
import { runSync, type SyncReport } from '../sync/run.js';
import { upsertRecords } from '../sync/upsert.js';
import { registerWebhookProcessor, type WebhookEventRow } from './process.js';
import { loadStripeConnection, type StripeConnection, stripeCtx } from './stripe-connections.js';

/**
 * Stripe processing, shared by webhooks and pulls. An event is only a hint: the object it names is
 * re-fetched and upserted, so the final state never depends on the order or number of deliveries
 * (`charge.refunded` before `payment_intent.succeeded` ends refunded). Then the effects, each an
 * idempotent step over stored state: payouts settled (or a manual payout raised), failed payouts
 * reversed, disputes marking invoices, deposits reconciled against bank lines.
 */
let connector: StripeConnector = stripeConnector;
/** Tests and the demo swap the transport; production uses the SDK. */
export function useStripeConnector(c: StripeConnector): void {
  connector = c;
}

async function connectionOrThrow(deps: AppDeps, connectionId: string): Promise<StripeConnection> {
  const conn = await loadStripeConnection(deps, connectionId);
  if (!conn) throw new AppError('not_found', `Stripe connection ${connectionId} not found`);
  return conn;
}

export async function applyStripeRecords(
  deps: AppDeps,
  conn: StripeConnection,
  records: CanonicalRecord[],
): Promise<void> {
  const scope: Scope = { firmId: conn.firmId, connectionId: conn.id };
  if (records.length) await deps.db.transaction((tx) => upsertRecords(tx, scope, records));
  for (const r of records) {
    if (r.kind === 'stripe_payout') await settlePayout(deps, conn, r.data);
  }
  const disputes = records.filter((r) => r.kind === 'stripe_dispute').map((r) => r.data.externalId);
  if (disputes.length) await applyDisputes(deps.db, scope, disputes);
  await reconcileDeposits(deps.db, conn.firmId);
}

/** What a payout's status asks for. A deposit is reconciled when its bank line matches, not on `paid`. */
export async function settlePayout(
  deps: AppDeps,
  conn: StripeConnection,
  payout: StripePayout,
): Promise<void> {
  const scope: Scope = { firmId: conn.firmId, connectionId: conn.id };
  switch (payout.status) {
    case 'paid':
    case 'in_transit':
    case 'pending': {
      if (!payout.automatic) {
        if (payout.status === 'paid') await raiseManualPayout(deps.db, scope, payout);
        return;
      }
      if (payout.status !== 'paid') return; // its transactions are final once it is paid
      const [done] = await deps.db
        .select({ id: stripeSettlements.id })
        .from(stripeSettlements)
        .where(
          and(
            eq(stripeSettlements.firmId, scope.firmId),
            eq(stripeSettlements.connectionId, scope.connectionId),
            eq(stripeSettlements.payoutExternalId, payout.externalId),
          ),
        );
      if (done) return;
      const exploded = await connector.explodePayout(stripeCtx(conn, deps.logger), payout.externalId);
      await deps.db.transaction((tx) => upsertRecords(tx, scope, exploded));
      const txns = exploded
        .filter(
          (r): r is Extract<CanonicalRecord, { kind: 'stripe_balance_transaction' }> =>
            r.kind === 'stripe_balance_transaction',
        )
        .map((r) => r.data as StripeBalanceTransaction);
      await recordSettlement(deps.db, scope, payout, txns);
      const disputes = exploded.filter((r) => r.kind === 'stripe_dispute').map((r) => r.data.externalId);
      if (disputes.length) await applyDisputes(deps.db, scope, disputes);
      return;
    }
    case 'failed':
    case 'canceled':
      await reverseSettlement(deps.db, scope, payout);
      return;
    default: {
      const never: never = payout.status;
      throw new Error(`unknown payout status ${String(never)}`);
    }
  }
}

/** The webhook processor: one connection's stored Stripe events. */
export async function processStripeEvents(
  deps: AppDeps,
  connectionId: string,
  events: WebhookEventRow[],
): Promise<void> {
  const conn = await connectionOrThrow(deps, connectionId);
  const ctx = stripeCtx(conn, deps.logger);
  const seen = new Set<string>();
  for (const e of events) {
    const ev = WireEvent.parse(e.payload);
    const obj = ev.data.object;
    const key = `${obj.object}:${obj.id}`;
    if (seen.has(key)) continue; // several events about one object: one re-fetch gives the final state
    seen.add(key);
    const records = await connector.fetchObject(ctx, obj.object, obj.id);
    await applyStripeRecords(deps, conn, records);
  }
}

registerWebhookProcessor('stripe', processStripeEvents);

/**
 * A full or incremental pull (charges, refunds, disputes, payouts, then the /v1/events catch-up), then
 * every effect over what is stored: paid payouts settled, failed ones reversed, disputes applied,
 * deposits reconciled.
 */
export async function syncStripe(
  deps: AppDeps,
  connectionId: string,
  opts: { full?: boolean; trigger?: string } = {},
): Promise<SyncReport> {
  const conn = await connectionOrThrow(deps, connectionId);
  const report = await runSync(deps, connector, stripeCtx(conn, deps.logger), opts);
  const scope: Scope = { firmId: conn.firmId, connectionId: conn.id };
  const payouts = await deps.db
    .select()
    .from(stripePayouts)
    .where(
      and(
        eq(stripePayouts.firmId, scope.firmId),
        eq(stripePayouts.connectionId, scope.connectionId),
        sql`(${stripePayouts.status} = 'paid' and ${notExists(
          deps.db
            .select({ one: sql`1` })
            .from(stripeSettlements)
            .where(
              and(
                eq(stripeSettlements.firmId, scope.firmId),
                eq(stripeSettlements.connectionId, scope.connectionId),
                eq(stripeSettlements.payoutExternalId, stripePayouts.externalId),
              ),
            ),
        )}) or ${stripePayouts.status} in ('failed', 'canceled')`,
      ),
    );
  for (const p of payouts) {
    await settlePayout(deps, conn, {
      externalId: p.externalId,
      status: p.status as StripePayout['status'],
      automatic: p.automatic,
      amountMinor: p.amountMinor,
      currency: p.currency,
      arrivalDate: p.arrivalDate,
      createdAt: p.stripeCreatedAt.toISOString(),
      balanceTransactionId: p.balanceTransactionId,
      failureCode: p.failureCode,
      statementDescriptor: p.statementDescriptor,
    });
  }
  const disputes = await deps.db
    .select({ id: stripeDisputes.externalId })
    .from(stripeDisputes)
    .where(and(eq(stripeDisputes.firmId, scope.firmId), eq(stripeDisputes.connectionId, scope.connectionId)));
  await applyDisputes(
    deps.db,
    scope,
    disputes.map((d) => d.id),
  );
  await reconcileDeposits(deps.db, conn.firmId);
  return report;
}

/** Balance transactions already stored for a payout (for the API's breakdown). */
export async function payoutTransactions(deps: Pick<AppDeps, 'db'>, firmId: string, payoutIds: string[]) {
  if (payoutIds.length === 0) return [];
  return deps.db
    .select()
    .from(stripeBalanceTransactions)
    .where(
      and(
        eq(stripeBalanceTransactions.firmId, firmId),
        inArray(stripeBalanceTransactions.payoutId, payoutIds),
      ),
    );
}
