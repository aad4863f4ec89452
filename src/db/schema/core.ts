import { sql } from 'drizzle-orm';
import { char, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, tstz, updatedAt } from './columns.js';

/** Our customer. */
export const firms = pgTable(
  'firms',
  {
    id: id(),
    name: text('name').notNull(),
    baseCurrency: char('base_currency', { length: 3 }).notNull(),
    timezone: text('timezone').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('firms_name_uq').on(sql`lower(${t.name})`)],
);

/**
 * One OAuth consent: one token set, the unit that is locked and refreshed. Secrets are AES-256-GCM
 * ciphertext (see src/lib/crypto).
 */
export const grants = pgTable(
  'grants',
  {
    id: id(),
    firmId: uuid('firm_id')
      .notNull()
      .references(() => firms.id),
    provider: text('provider').notNull(),
    status: text('status').notNull().default('active'),
    tokenCiphertext: text('token_ciphertext'),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    accessExpiresAt: tstz('access_expires_at'),
    refreshExpiresAt: tstz('refresh_expires_at'),
    lastRefreshedAt: tstz('last_refreshed_at'),
    lastError: text('last_error'),
    /** QBO: x_refresh_token_hard_expires_in, when Intuit sends it (the refresh token's absolute end). */
    refreshHardExpiresAt: tstz('refresh_hard_expires_at'),
    /** Who connected it (an API key's name, `cli`). */
    createdBy: text('created_by'),
    /** Xero: the organisations of a fresh grant waiting for the person to choose (`/connections`). */
    pendingOrgs: jsonb('pending_orgs'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('grants_firm_idx').on(t.firmId)],
);

/**
 * A connected organisation: a Xero org (tenantId + Xero's connection id), a QBO company (realmId), a
 * Stripe account, or the firm's statement files.
 */
export const connections = pgTable(
  'connections',
  {
    id: id(),
    firmId: uuid('firm_id')
      .notNull()
      .references(() => firms.id),
    provider: text('provider').notNull(),
    grantId: uuid('grant_id').references(() => grants.id),
    /** Xero tenantId, QBO realmId, Stripe account id; null for files. */
    tenantId: text('tenant_id'),
    /** Xero's connection id (needed for DELETE /connections/{id}). */
    providerConnectionId: text('provider_connection_id'),
    displayName: text('display_name').notNull(),
    status: text('status').notNull().default('active'),
    /** Where GL postings come from: the provider's journals, or derived from documents. */
    glSource: text('gl_source').notNull().default('journals'),
    secretCiphertext: text('secret_ciphertext'),
    settings: jsonb('settings').notNull().default(sql`'{}'::jsonb`),
    lastError: text('last_error'),
    lastSyncedAt: tstz('last_synced_at'),
    /** A sync parked until then (a provider's daily limit). */
    parkedUntil: tstz('parked_until'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('connections_firm_idx').on(t.firmId),
    uniqueIndex('connections_tenant_uq').on(t.firmId, t.provider, t.tenantId),
  ],
);

/** Who did what. `actor` is an API key's name, `cli`, `system`, or `demo`. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    firmId: uuid('firm_id').references(() => firms.id),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectKind: text('subject_kind'),
    subjectId: text('subject_id'),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    at: createdAt(),
  },
  (t) => [index('audit_firm_at_idx').on(t.firmId, t.at)],
);
