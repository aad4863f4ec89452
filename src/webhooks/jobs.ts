import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { connections } from '../db/schema/index.js';
import { pullXeroResources } from '../providers/xero/index.js';
import { registerJobHandler } from '../worker/handlers.js';
import { registerSchedule } from '../worker/schedules.js';
import { wireXeroWebhooks } from './accounting.js';
import { WEBHOOK_JOB } from './intake.js';
import { processWebhookJob, WebhookJobPayload } from './process.js';
import { syncStripe } from './stripe.js'; // also registers the Stripe webhook processor

/**
 * Job handlers of the webhook area (loaded by src/worker/jobs.ts):
 * - `webhook.process` { eventIds }: the stored events, through their provider's processor;
 * - `stripe.sync` { connectionId, full? }: pull + the /v1/events catch-up + settlement effects;
 * - `stripe.poll` (hourly): a `stripe.sync` for every active Stripe connection, so a missed webhook is
 *   caught up from /v1/events well within Stripe's 30 days.
 */
// Xero events → a targeted pull of the named invoices, contacts and credit notes (issue 6). QBO wires
// its own pull in src/connectors/qbo/jobs.ts.
wireXeroWebhooks(pullXeroResources);

registerJobHandler(
  WEBHOOK_JOB,
  async (payload, ctx) => {
    await processWebhookJob(ctx.deps, payload);
  },
  { schema: WebhookJobPayload },
);

export const StripeSyncPayload = z.object({ connectionId: z.uuid(), full: z.boolean().optional() });

registerJobHandler(
  'stripe.sync',
  async (payload, ctx) => {
    const report = await syncStripe(ctx.deps, payload.connectionId, {
      ...(payload.full ? { full: true } : {}),
      trigger: 'job',
    });
    if (report.status === 'failed') {
      throw new Error(
        `stripe sync failed: ${report.error?.code ?? 'internal'} ${report.error?.message ?? ''}`,
      );
    }
  },
  { schema: StripeSyncPayload, visibilitySeconds: 600 },
);

registerJobHandler('stripe.poll', async (_payload, ctx) => {
  const slot = Math.floor(ctx.deps.clock.now().getTime() / 3_600_000);
  const list = await ctx.deps.db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.provider, 'stripe'), eq(connections.status, 'active')));
  if (list.length === 0) return;
  await ctx.queue.sendBatch(
    list.map((c) => ({
      type: 'stripe.sync',
      payload: { connectionId: c.id },
      key: `stripe.sync:${c.id}:${slot}`,
      groupId: c.id,
    })),
  );
});

registerSchedule('stripe.poll', 3600, { type: 'stripe.poll', payload: {} });
