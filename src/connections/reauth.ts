import { and, eq, inArray } from 'drizzle-orm';
import { audit } from '../db/repos/audit.js';
import { raiseException } from '../db/repos/exceptions.js';
import { connections, grants } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import type { ConnectionsDeps } from './deps.js';
import { connectUrl, RECONNECT_URL_TTL_MS } from './links.js';
import { isOAuthProvider } from './providers.js';
import type { GrantRow } from './tokens.js';

/**
 * The grant is dead (invalid_grant, revoked consent): the grant and its live connections move to
 * `needs_reauth`, and each connection gets a `connection_needs_reauth` exception with a reconnect link.
 * Runs in the caller's transaction (the refresh lock): only `tx` is used, never the pool.
 */
export async function markGrantNeedsReauth(
  tx: Tx,
  deps: Pick<ConnectionsDeps, 'config' | 'clock'>,
  grant: GrantRow,
  reason: string,
): Promise<string[]> {
  const now = deps.clock.now();
  await tx
    .update(grants)
    .set({ status: 'needs_reauth', lastError: reason, updatedAt: now })
    .where(eq(grants.id, grant.id));
  const affected = await tx
    .update(connections)
    .set({ status: 'needs_reauth', lastError: reason, updatedAt: now })
    .where(and(eq(connections.grantId, grant.id), inArray(connections.status, ['active'])))
    .returning();
  for (const c of affected) await raiseReauthException(tx, deps, c, grant.id, reason);
  await audit(tx, {
    firmId: grant.firmId,
    actor: 'system',
    action: 'grant.needs_reauth',
    subjectKind: 'grant',
    subjectId: grant.id,
    details: { provider: grant.provider, reason, connections: affected.map((c) => c.id) },
  });
  return affected.map((c) => c.id);
}

/** One connection lost (Xero 403 AuthenticationUnsuccessful: the org was disconnected from the grant). */
export async function markConnectionNeedsReauth(
  tx: Tx,
  deps: Pick<ConnectionsDeps, 'config' | 'clock'>,
  connection: typeof connections.$inferSelect,
  reason: string,
): Promise<void> {
  await tx
    .update(connections)
    .set({ status: 'needs_reauth', lastError: reason, updatedAt: deps.clock.now() })
    .where(eq(connections.id, connection.id));
  await raiseReauthException(tx, deps, connection, connection.grantId ?? 'none', reason);
  await audit(tx, {
    firmId: connection.firmId,
    actor: 'system',
    action: 'connection.needs_reauth',
    subjectKind: 'connection',
    subjectId: connection.id,
    details: { provider: connection.provider, reason },
  });
}

async function raiseReauthException(
  tx: Tx,
  deps: Pick<ConnectionsDeps, 'config' | 'clock'>,
  c: typeof connections.$inferSelect,
  grantId: string,
  reason: string,
): Promise<void> {
  const provider = c.provider;
  let reconnectUrl: string | null = null;
  if (isOAuthProvider(provider)) {
    reconnectUrl = connectUrl(
      deps.config,
      deps.clock.now(),
      { firmId: c.firmId, provider, actor: 'reconnect', apiKeyId: null },
      RECONNECT_URL_TTL_MS,
    ).url;
  }
  await raiseException(tx, {
    firmId: c.firmId,
    kind: 'connection_needs_reauth',
    subjectKind: 'connection',
    subjectId: c.id,
    reason: `${c.displayName} (${provider}) must be reconnected: ${reason}. Syncs for it are stopped.`,
    details: {
      provider,
      connectionId: c.id,
      tenantId: c.tenantId,
      grantId,
      reconnectUrl,
      reconnect: `POST /api/v1/connect/${provider}`,
    },
    dedupeKey: `connection_needs_reauth:${c.id}:${grantId}`,
  });
}
