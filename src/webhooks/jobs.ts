import { z } from 'zod';
import { registerJobHandler } from '../worker/handlers.js';
import { WEBHOOK_JOB } from './intake.js';
import { processWebhookJob, WebhookJobPayload } from './process.js';
import { syncStripe } from './stripe.js'; // also registers the Stripe webhook processor
import './accounting.js';

/**
 * Job handlers of the webhook area (loaded by src/worker/jobs.ts):
 * - `webhook.process` { eventIds }: the stored events, through their provider's processor;
 * - `stripe.sync` { connectionId, full? }: pull + the /v1/events catch-up + settlement effects.
 */
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
