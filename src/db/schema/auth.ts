import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, tstz } from './columns.js';
import { firms } from './core.js';

/** API keys: named (the name is the actor in the audit log), stored as a SHA-256 hash, revocable. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    firmId: uuid('firm_id')
      .notNull()
      .references(() => firms.id),
    name: text('name').notNull(),
    /** The first characters of the key, shown in listings so a person can tell keys apart. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: tstz('last_used_at'),
    revokedAt: tstz('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_uq').on(t.keyHash), index('api_keys_firm_idx').on(t.firmId)],
);

/**
 * OAuth `state` values handed to a provider: signed, firm-bound, expiring, and accepted once (`used_at`
 * is set atomically by the callback). The PKCE code_verifier is kept sealed next to it.
 */
export const oauthStates = pgTable(
  'oauth_states',
  {
    id: id(),
    nonce: text('nonce').notNull(),
    firmId: uuid('firm_id')
      .notNull()
      .references(() => firms.id),
    provider: text('provider').notNull(),
    /** The API key name (or `cli`) that asked for the connect URL: the actor of what the callback records. */
    actor: text('actor').notNull(),
    apiKeyId: uuid('api_key_id'),
    codeVerifierCiphertext: text('code_verifier_ciphertext'),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('oauth_states_nonce_uq').on(t.nonce),
    index('oauth_states_expires_idx').on(t.expiresAt),
  ],
);
