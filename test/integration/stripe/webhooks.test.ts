import { eq, sql } from 'drizzle-orm';
import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/migrate.js';
import {
  exceptions,
  invoices,
  stripePayments,
  stripeRefunds,
  webhookEvents,
} from '../../../src/db/schema/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { processWebhookJob } from '../../../src/webhooks/process.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';
import { API_KEY, createHarness, eventFor, type Harness, seedPaymentFixtures } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
beforeEach(async () => {
  await h.reset();
});
afterAll(async () => {
  await h.close();
});

const piEvent = () => JSON.stringify(jsonFixture('stripe', 'events', 'payment_intent.succeeded.json'));
const refundedEvent = () => JSON.stringify(jsonFixture('stripe', 'events', 'charge.refunded.json'));

async function count(table: string): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await h.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`)),
  );
  return Number(rows[0]!.n);
}

describe('Stripe webhook intake', () => {
  it('turns the same signed event delivered 10 times at once into one stored event, one job and one payment', async () => {
    seedPaymentFixtures(h.store);
    const body = piEvent();
    const responses = await Promise.all(Array.from({ length: 10 }, () => h.deliver(body)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ duplicate: boolean }>));
    expect(bodies.filter((b) => !b.duplicate)).toHaveLength(1);
    expect(await count('webhook_events')).toBe(1);
    expect(await count('jobs')).toBe(1);

    expect(await h.drain()).toBe(1);
    const payments = await h.database.db.select().from(stripePayments);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      externalId: 'ch_1PgafuB7WZ01zgkWXYmPNZs8',
      paymentIntentId: 'pi_1PgafyB7WZ01zgkWSjxsAJo3',
      amountMinor: 1099,
      currency: 'USD',
      invoiceNumber: 'INV-1001',
      settlementFeeMinor: 62,
      settlementNetMinor: 1037,
    });
    // one job's effect: the payment intent was fetched once, its charge once
    expect(h.store.requests.filter((r) => r.startsWith('GET /v1/payment_intents/'))).toHaveLength(1);
    expect(h.store.requests.filter((r) => r.startsWith('GET /v1/charges/'))).toHaveLength(1);
    const [ev] = await h.database.db.select().from(webhookEvents);
    expect(ev).toMatchObject({
      provider: 'stripe',
      dedupeKey: 'evt_3PgafyB7WZ01zgkW0pisucc1',
      status: 'processed',
    });
  });

  it('acknowledges a redelivered event without enqueuing or processing it again', async () => {
    seedPaymentFixtures(h.store);
    const body = piEvent();
    expect((await h.deliver(body)).status).toBe(200);
    expect(await h.drain()).toBe(1);
    const again = await h.deliver(body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ received: true, duplicate: true });
    expect(await h.drain()).toBe(0);
    expect(h.store.requests.filter((r) => r.startsWith('GET /v1/payment_intents/'))).toHaveLength(1);
  });

  it('re-sends an event whose first job was lost when Stripe redelivers it', async () => {
    seedPaymentFixtures(h.store);
    const body = piEvent();
    await h.deliver(body);
    // the process died after storing the event: its job never made it
    await h.database.db.execute(sql`delete from jobs`);
    await h.database.db.execute(sql`update webhook_events set created_at = now() - interval '2 minutes'`);
    const again = await h.deliver(body);
    expect(again.status).toBe(200);
    expect(await count('jobs')).toBe(1);
    expect(await h.drain()).toBe(1);
    expect(await count('stripe_payments')).toBe(1);
  });

  it('keeps the API key out of the stored error and the logs when Stripe refuses it', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (l: string) => void lines.push(l) });
    server.use(
      http.get('https://api.stripe.com/v1/payment_intents/:id', () =>
        HttpResponse.json(
          {
            error: {
              type: 'invalid_request_error',
              message: `Invalid API Key provided: ${API_KEY}`,
            },
          },
          { status: 401 },
        ),
      ),
    );
    await h.deliver(piEvent());
    const [job] = await h.deps.queue!.receive(1, 60);
    const deps = { ...h.deps, logger };
    const err = await processWebhookJob(deps, job!.payload).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'provider_auth_expired' });
    logger.error({ err }, 'webhook job failed');
    const [ev] = await h.database.db.select().from(webhookEvents);
    expect(ev).toMatchObject({ status: 'failed', attempts: 1 });
    expect(ev!.lastError).toContain('API key was refused');
    expect(ev!.lastError).not.toContain(API_KEY);
    expect(lines.join('\n')).not.toContain(API_KEY);
    expect(lines.join('\n')).toContain('provider_auth_expired');
  });

  it('refuses an event signed with another secret: 401, nothing stored, no payment', async () => {
    seedPaymentFixtures(h.store);
    const res = await h.deliver(piEvent(), { secret: 'whsec_someone_elses_secret_123' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('webhook_bad_signature');
    expect(await count('webhook_events')).toBe(0);
    expect(await count('jobs')).toBe(0);
    expect(await count('stripe_payments')).toBe(0);
  });

  it('refuses an event signed more than 300 s ago, and accepts one signed 299 s ago', async () => {
    seedPaymentFixtures(h.store);
    const now = Math.floor(h.clock.now().getTime() / 1000);
    const stale = await h.deliver(piEvent(), { signedAt: now - 301 });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { detail: string }).detail).toMatch(/older than 300 s/);
    expect(await count('webhook_events')).toBe(0);
    expect(await count('stripe_payments')).toBe(0);
    expect((await h.deliver(piEvent(), { signedAt: now - 299 })).status).toBe(200);
  });

  it('refuses a body re-serialised after signing', async () => {
    const body = piEvent();
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    const res = await h.deliver(body, { sendBody: reformatted });
    expect(res.status).toBe(401);
    expect(await count('webhook_events')).toBe(0);
  });

  it('answers 413 to a body over WEBHOOK_MAX_BYTES and stores nothing', async () => {
    const small = await createHarness({ WEBHOOK_MAX_BYTES: '2048' });
    try {
      const event = JSON.parse(piEvent()) as { data: { object: { description: string } } };
      event.data.object.description = 'x'.repeat(4000);
      const res = await small.deliver(JSON.stringify(event));
      expect(res.status).toBe(413);
      expect(await small.database.db.select().from(webhookEvents)).toHaveLength(0);
    } finally {
      await small.close();
    }
  });

  it('answers 404 for an address that is not a Stripe connection', async () => {
    const res = await h.app.request('/webhooks/stripe/6a1c3f0e-1111-4222-8333-444455556666', {
      method: 'POST',
      headers: { 'stripe-signature': 't=1,v1=00' },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });

  it('ends refunded when charge.refunded arrives before payment_intent.succeeded', async () => {
    seedPaymentFixtures(h.store);
    expect((await h.deliver(refundedEvent())).status).toBe(200);
    expect(await h.drain()).toBe(1);
    expect((await h.deliver(piEvent())).status).toBe(200);
    expect(await h.drain()).toBe(1);
    const [p] = await h.database.db.select().from(stripePayments);
    expect(p).toMatchObject({ state: 'partially_refunded', amountMinor: 1099, amountRefundedMinor: 500 });
    const refunds = await h.database.db.select().from(stripeRefunds);
    expect(refunds.map((r) => [r.externalId, r.amountMinor, r.chargeId])).toEqual([
      ['re_1Pgc72B7WZ01zgkWqPvrRrPE', 500, 'ch_1PgafuB7WZ01zgkWXYmPNZs8'],
    ]);
  });

  it('ends fully refunded whatever the order when the charge is refunded in full', async () => {
    const { charge } = seedPaymentFixtures(h.store);
    h.store.charges.set(charge.id, { ...charge, amount_refunded: 1099, refunded: true });
    await h.deliver(refundedEvent());
    await h.deliver(piEvent());
    expect(await h.drain()).toBe(2);
    const [p] = await h.database.db.select().from(stripePayments);
    expect(p).toMatchObject({ state: 'refunded', amountRefundedMinor: 1099 });
  });

  it('picks up a fee that was missing when the payment succeeded once the charge carries it', async () => {
    const { charge } = seedPaymentFixtures(h.store);
    h.store.charges.set(charge.id, { ...charge, balance_transaction: null, amount_refunded: 0 });
    await h.deliver(piEvent());
    await h.drain();
    let [p] = await h.database.db.select().from(stripePayments);
    expect(p).toMatchObject({ state: 'succeeded', settlementFeeMinor: null });
    h.store.charges.set(charge.id, { ...charge, amount_refunded: 0 });
    await h.deliver(
      JSON.stringify(eventFor('charge.updated', { ...charge, amount_refunded: 0 }, 'evt_chargeupdated01')),
    );
    await h.drain();
    [p] = await h.database.db.select().from(stripePayments);
    expect(p).toMatchObject({ state: 'succeeded', settlementFeeMinor: 62, settlementNetMinor: 1037 });
  });

  it('marks the invoice disputed when a dispute opens, and withdrawn funds are not a lost dispute', async () => {
    const { charge } = seedPaymentFixtures(h.store);
    await h.database.db.insert(invoices).values({
      firmId: h.firmId,
      connectionId: h.connectionId,
      externalId: 'inv-ext-1001',
      raw: {},
      contentHash: 'x',
      number: 'INV-1001',
      status: 'authorised',
      issueDate: '2026-12-01',
      currency: 'USD',
      taxMode: 'none',
      subtotalMinor: 1099,
      taxMinor: 0,
      totalMinor: 1099,
      currencyRate: '1',
      baseTotalMinor: 1099,
    });
    const dispute = {
      ...jsonFixture<Record<string, unknown>>('stripe', 'openapi', 'dispute.json'),
      charge: charge.id,
      amount: 1099,
      status: 'needs_response',
    } as unknown as Record<string, unknown> & { id: string };
    h.store.disputes.set(dispute.id, dispute);
    h.store.charges.set(charge.id, { ...charge, disputed: true });
    await h.deliver(JSON.stringify(eventFor('charge.dispute.created', dispute, 'evt_dispcreated01')));
    await h.deliver(JSON.stringify(eventFor('charge.dispute.funds_withdrawn', dispute, 'evt_dispfundswd01')));
    await h.drain();
    const [inv] = await h.database.db.select().from(invoices).where(eq(invoices.number, 'INV-1001'));
    expect(inv!.disputed).toBe(true);
    const disputes = rowsOf<{ outcome: string; status: string }>(
      await h.database.db.execute(sql`select outcome, status from stripe_disputes`),
    );
    expect(disputes).toEqual([{ outcome: 'open', status: 'needs_response' }]);
    const ex = await h.database.db.select().from(exceptions).where(eq(exceptions.kind, 'dispute_opened'));
    expect(ex).toHaveLength(1);
    expect(ex[0]!.reason).toContain('INV-1001');

    // won: the invoice is no longer disputed
    h.store.disputes.set(dispute.id, { ...dispute, status: 'won' });
    await h.deliver(
      JSON.stringify(eventFor('charge.dispute.closed', { ...dispute, status: 'won' }, 'evt_dispclosed01')),
    );
    await h.drain();
    const [after] = await h.database.db.select().from(invoices).where(eq(invoices.number, 'INV-1001'));
    expect(after!.disputed).toBe(false);
  });
});
