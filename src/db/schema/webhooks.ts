import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, tstz } from './columns.js';

/**
 * Every verified webhook event, stored before it is acknowledged. `dedupe_key` is the event's own key
 * (Stripe event id, CloudEvents id, or for Xero and legacy QBO, which carry no id, org + resource +
 * event type + event time), unique per provider: a redelivery inserts nothing and is not processed again.
 * status: received → processed | failed (the job retries; dead after the queue's attempts).
 */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: id(),
    provider: text('provider').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    /** Null until the org (Xero tenant, QBO realm) is known to belong to a connection. */
    firmId: uuid('firm_id'),
    connectionId: uuid('connection_id'),
    /** The provider's org id (Xero tenantId, QBO realmId, Stripe account). */
    tenantId: text('tenant_id'),
    eventType: text('event_type').notNull(),
    /** The resource the event is about (Stripe object id, Xero resourceId, QBO entity id). */
    resourceType: text('resource_type'),
    resourceId: text('resource_id'),
    occurredAt: tstz('occurred_at'),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull().default('received'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    receivedAt: createdAt(),
    enqueuedAt: tstz('enqueued_at'),
    processedAt: tstz('processed_at'),
  },
  (t) => [
    uniqueIndex('webhook_events_dedupe_uq').on(t.provider, t.dedupeKey),
    index('webhook_events_pending_idx').on(t.receivedAt).where(sql`status = 'received'`),
    index('webhook_events_conn_idx').on(t.connectionId, t.receivedAt),
  ],
);
