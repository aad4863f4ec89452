import { sql } from 'drizzle-orm';
import { bigint, char, jsonb, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Money: bigint minor units (read back as JS safe integers) + char(3) currency. */
export const minor = (name: string) => bigint(name, { mode: 'number' });
export const currency = (name = 'currency') => char(name, { length: 3 });

export const id = () => uuid('id').primaryKey().default(sql`gen_random_uuid()`);
export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull().defaultNow();
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });

/**
 * Storage columns on every record pulled from a provider: firm, connection, the provider's id, the raw
 * payload, a content hash (a replayed pull with the same content writes nothing) and when it was synced.
 */
export const syncedColumns = () => ({
  id: id(),
  firmId: uuid('firm_id').notNull(),
  connectionId: uuid('connection_id').notNull(),
  externalId: text('external_id').notNull(),
  raw: jsonb('raw').notNull(),
  contentHash: text('content_hash').notNull(),
  /** Set when the provider no longer returns the record (a tombstone, not a row deletion). */
  vanishedAt: tstz('vanished_at'),
  syncedAt: tstz('synced_at').notNull().defaultNow(),
  createdAt: createdAt(),
});
