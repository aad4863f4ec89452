import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { StripePaymentState, StripePayoutStatus } from '../../canonical/stripe.js';
import { listStripePayments, listStripePayouts } from '../../db/repos/stripe.js';
import { addStripeConnection } from '../../webhooks/stripe-connections.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { decodeCursor, PageQuery, pageOf, pageSchema } from '../pagination.js';

/** Stripe under /api/v1: add a connection, list payments (charges) and payouts with their settlement. */
const MoneyView = z.object({ amountMinor: z.number().int(), currency: z.string() });

export const StripePaymentView = z
  .object({
    id: z.uuid(),
    connectionId: z.uuid(),
    chargeId: z.string(),
    paymentIntentId: z.string().nullable(),
    state: StripePaymentState,
    amount: MoneyView,
    refundedMinor: z.number().int(),
    disputed: z.boolean(),
    createdAt: z.string(),
    invoice: z.object({ number: z.string().nullable(), externalId: z.string().nullable() }),
    settlement: z
      .object({
        amountMinor: z.number().int(),
        feeMinor: z.number().int(),
        netMinor: z.number().int(),
        currency: z.string(),
        exchangeRate: z.string().nullable(),
        status: z.string().nullable(),
        payoutId: z.string().nullable(),
      })
      .nullable(),
  })
  .openapi('StripePayment');

export const StripePayoutView = z
  .object({
    id: z.uuid(),
    connectionId: z.uuid(),
    payoutId: z.string(),
    status: StripePayoutStatus,
    automatic: z.boolean(),
    amount: MoneyView,
    arrivalDate: z.string(),
    settlement: z
      .object({
        status: z.string(),
        bankLineId: z.string().nullable(),
        breakdown: z.record(z.string(), z.unknown()),
        lines: z.array(
          z.object({
            kind: z.string(),
            amountMinor: z.number().int(),
            currency: z.string(),
            sourceId: z.string().nullable(),
            balanceTransactionId: z.string().nullable(),
            matchStatus: z.string().nullable(),
            invoiceExternalId: z.string().nullable(),
          }),
        ),
      })
      .nullable(),
  })
  .openapi('StripePayout');

const addConnection = createRoute({
  method: 'post',
  path: '/connections/stripe',
  summary: 'Connect a Stripe account with a restricted API key and its webhook signing secret',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z.object({
            apiKey: z.string().openapi({ example: 'rk_live_…' }),
            webhookSecret: z.string().openapi({ example: 'whsec_…' }),
            displayName: z.string().min(1).max(200).optional(),
          }),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'The connection; point Stripe at its webhookUrl',
      content: {
        'application/json': {
          schema: z.object({
            id: z.uuid(),
            firmId: z.uuid(),
            displayName: z.string(),
            status: z.string(),
            livemode: z.boolean(),
            keyHint: z.string(),
            webhookUrl: z.string(),
          }),
        },
      },
    },
  },
});

const payments = createRoute({
  method: 'get',
  path: '/payments',
  summary: 'Stripe payments (charges), newest first, with their settlement',
  request: {
    query: PageQuery.extend({
      state: StripePaymentState.optional(),
      connectionId: z.uuid().optional(),
    }),
  },
  responses: {
    200: {
      description: 'A page of payments',
      content: { 'application/json': { schema: pageSchema(StripePaymentView) } },
    },
  },
});

const payouts = createRoute({
  method: 'get',
  path: '/payouts',
  summary: 'Stripe payouts, newest first, with the settlement breakdown',
  request: {
    query: PageQuery.extend({
      status: StripePayoutStatus.optional(),
      connectionId: z.uuid().optional(),
    }),
  },
  responses: {
    200: {
      description: 'A page of payouts',
      content: { 'application/json': { schema: pageSchema(StripePayoutView) } },
    },
  },
});

export function stripeRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(addConnection, async (c) => {
    const body = c.req.valid('json');
    const view = await addStripeConnection(deps, {
      firmId: c.get('firmId'),
      apiKey: body.apiKey,
      webhookSecret: body.webhookSecret,
      ...(body.displayName ? { displayName: body.displayName } : {}),
      actor: c.get('actor'),
    });
    return c.json(view, 201);
  });
  app.openapi(payments, async (c) => {
    const q = c.req.valid('query');
    const rows = await listStripePayments(deps.db, {
      firmId: c.get('firmId'),
      state: q.state,
      connectionId: q.connectionId,
      limit: q.limit + 1,
      after: decodeCursor(q.cursor),
    });
    const page = pageOf(rows, q.limit, (r) => ({ k: r.p.stripeCreatedAt.toISOString(), id: r.p.id }));
    return c.json(
      {
        items: page.items.map(({ p, payoutId }) => ({
          id: p.id,
          connectionId: p.connectionId,
          chargeId: p.externalId,
          paymentIntentId: p.paymentIntentId,
          state: p.state as StripePaymentState,
          amount: { amountMinor: p.amountMinor, currency: p.currency },
          refundedMinor: p.amountRefundedMinor,
          disputed: p.disputed,
          createdAt: p.stripeCreatedAt.toISOString(),
          invoice: { number: p.invoiceNumber, externalId: p.invoiceExternalId },
          settlement:
            p.settlementAmountMinor === null || !p.settlementCurrency
              ? null
              : {
                  amountMinor: p.settlementAmountMinor,
                  feeMinor: p.settlementFeeMinor ?? 0,
                  netMinor: p.settlementNetMinor ?? 0,
                  currency: p.settlementCurrency,
                  exchangeRate: p.exchangeRate,
                  status: p.settlementStatus,
                  payoutId,
                },
        })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });
  app.openapi(payouts, async (c) => {
    const q = c.req.valid('query');
    const rows = await listStripePayouts(deps.db, {
      firmId: c.get('firmId'),
      status: q.status,
      connectionId: q.connectionId,
      limit: q.limit + 1,
      after: decodeCursor(q.cursor),
    });
    const page = pageOf(rows, q.limit, (r) => ({ k: r.p.stripeCreatedAt.toISOString(), id: r.p.id }));
    return c.json(
      {
        items: page.items.map(({ p, settlement, lines }) => ({
          id: p.id,
          connectionId: p.connectionId,
          payoutId: p.externalId,
          status: p.status as StripePayoutStatus,
          automatic: p.automatic,
          amount: { amountMinor: p.amountMinor, currency: p.currency },
          arrivalDate: p.arrivalDate,
          settlement: settlement
            ? {
                status: settlement.status,
                bankLineId: settlement.bankLineId,
                breakdown: settlement.breakdown as Record<string, unknown>,
                lines: lines.map((l) => ({
                  kind: l.kind,
                  amountMinor: l.amountMinor,
                  currency: l.currency,
                  sourceId: l.sourceId,
                  balanceTransactionId: l.balanceTransactionId,
                  matchStatus: l.matchStatus,
                  invoiceExternalId: l.invoiceExternalId,
                })),
              }
            : null,
        })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });
  return app;
}
