import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { webhookEvents } from '../db/schema/index.js';
import type { AppDeps } from '../http/deps.js';
import { AppError } from '../lib/errors.js';
import { redactText } from '../lib/redact.js';
import type { WebhookProvider } from './intake.js';

/**
 * The `webhook.process` job: load the stored events it names (skipping those already processed), hand
 * each provider's events to its processor, and mark them processed. Processors are idempotent (they
 * re-fetch the object and upsert by external id), so a redelivered job changes nothing.
 */
export type WebhookEventRow = typeof webhookEvents.$inferSelect;

/** What a provider does with its stored events: for one connection at a time. */
export type WebhookProcessor = (
  deps: AppDeps,
  connectionId: string,
  events: WebhookEventRow[],
) => Promise<void>;

/**
 * The seam to the QBO and Xero connectors: their engineers (or the lead) register the targeted pull
 * (`pullXeroResources(deps, connectionId, resources)` and its QBO counterpart) through
 * `registerWebhookProcessor`. Stripe's processor is registered by src/webhooks/stripe.ts.
 */
const processors = new Map<WebhookProvider, WebhookProcessor>();

export function registerWebhookProcessor(provider: WebhookProvider, fn: WebhookProcessor): void {
  processors.set(provider, fn);
}

export const WebhookJobPayload = z.object({ eventIds: z.array(z.uuid()).min(1) });

export interface ProcessOutcome {
  processed: number;
  skipped: number;
  /** Events kept as received: no connection owns their org, or no processor is registered yet. */
  parked: number;
}

export async function processWebhookJob(deps: AppDeps, payload: unknown): Promise<ProcessOutcome> {
  const parsed = WebhookJobPayload.safeParse(payload);
  if (!parsed.success)
    throw new AppError('validation_failed', 'webhook.process: payload is not { eventIds }');
  const ids = parsed.data.eventIds;
  const rows = await deps.db
    .select()
    .from(webhookEvents)
    .where(and(inArray(webhookEvents.id, ids), ne(webhookEvents.status, 'processed')));
  const outcome: ProcessOutcome = { processed: 0, skipped: ids.length - rows.length, parked: 0 };

  const groups = new Map<string, WebhookEventRow[]>();
  for (const r of rows) {
    const key = `${r.provider}|${r.connectionId ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    const provider = first.provider as WebhookProvider;
    const fn = processors.get(provider);
    const groupIds = group.map((r) => r.id);
    if (!first.connectionId || !fn) {
      await deps.db
        .update(webhookEvents)
        .set({
          lastError: first.connectionId
            ? `no ${provider} webhook processor is registered`
            : `no ${provider} connection owns org ${first.tenantId ?? '(unknown)'}`,
        })
        .where(inArray(webhookEvents.id, groupIds));
      outcome.parked += group.length;
      continue;
    }
    try {
      await fn(deps, first.connectionId, group);
    } catch (e) {
      await deps.db
        .update(webhookEvents)
        .set({
          status: 'failed',
          attempts: sql`${webhookEvents.attempts} + 1`,
          lastError: redactText(e instanceof Error ? e.message : String(e)).slice(0, 500),
        })
        .where(inArray(webhookEvents.id, groupIds));
      throw e; // the queue retries with backoff, then dead-letters
    }
    await deps.db
      .update(webhookEvents)
      .set({
        status: 'processed',
        processedAt: sql`now()`,
        attempts: sql`${webhookEvents.attempts} + 1`,
        lastError: null,
      })
      .where(and(inArray(webhookEvents.id, groupIds), ne(webhookEvents.status, 'processed')));
    outcome.processed += group.length;
  }
  return outcome;
}

/** For `webhooks replay`: events still waiting (e.g. stored before their processor was registered). */
export async function pendingEventIds(
  deps: Pick<AppDeps, 'db'>,
  provider: WebhookProvider,
): Promise<string[]> {
  const rows = await deps.db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.provider, provider), ne(webhookEvents.status, 'processed')));
  return rows.map((r) => r.id);
}
