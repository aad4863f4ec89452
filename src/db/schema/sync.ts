import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, tstz } from './columns.js';

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    status: text('status').notNull(),
    trigger: text('trigger').notNull().default('manual'),
    stats: jsonb('stats').notNull().default(sql`'{}'::jsonb`),
    error: text('error'),
    startedAt: createdAt(),
    finishedAt: tstz('finished_at'),
  },
  (t) => [index('sync_runs_conn_idx').on(t.firmId, t.connectionId, t.startedAt)],
);

/** A record that could not be taken in: which one, which field, why. The rest of its page still lands. */
export const syncErrors = pgTable(
  'sync_errors',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    syncRunId: uuid('sync_run_id'),
    entity: text('entity').notNull(),
    externalId: text('external_id'),
    field: text('field'),
    message: text('message').notNull(),
    raw: jsonb('raw'),
    createdAt: createdAt(),
  },
  (t) => [index('sync_errors_conn_idx').on(t.firmId, t.connectionId, t.createdAt)],
);

/** Where the next incremental pull of an entity starts. */
export const syncCursors = pgTable(
  'sync_cursors',
  {
    firmId: uuid('firm_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    entity: text('entity').notNull(),
    cursor: jsonb('cursor').notNull(),
    updatedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.entity] })],
);

/**
 * Our own record of every write sent to a provider (the outbox). The idempotency key is derived from our
 * record and stored before the call; a retry re-sends the same key, and a success keeps the provider's id
 * even after the provider has forgotten the key.
 */
export const outboundWrites = pgTable(
  'outbound_writes',
  {
    id: id(),
    firmId: uuid('firm_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    provider: text('provider').notNull(),
    /** e.g. invoice.create, payment.create, payment.delete, invoice.void */
    operation: text('operation').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    /** Our record the write comes from (kind:id). */
    subject: text('subject').notNull(),
    request: jsonb('request').notNull(),
    /** pending | sent | succeeded | failed | blocked */
    status: text('status').notNull().default('pending'),
    externalId: text('external_id'),
    response: jsonb('response'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('outbound_writes_key_uq').on(t.firmId, t.connectionId, t.idempotencyKey)],
);
