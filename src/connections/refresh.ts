import { eq } from 'drizzle-orm';
import { isInvalidGrant, type TokenResponse } from '../connectors/shared/oauth.js';
import { connections, grants } from '../db/schema/index.js';
import { AppError } from '../lib/errors.js';
import { redactText } from '../lib/redact.js';
import { boxOf, type ConnectionsDeps, providerFor } from './deps.js';
import { markGrantNeedsReauth } from './reauth.js';
import {
  type GrantRow,
  openTokens,
  type StoredTokens,
  sealTokens,
  tokenColumns,
  toStored,
} from './tokens.js';

/** Refresh this long before the access token expires. */
export const REFRESH_SKEW_MS = 5 * 60_000;

/** Does this grant need a refresh now? Evaluated before the lock and again after it. */
export type NeedsRefresh = (grant: GrantRow, tokens: StoredTokens, now: Date) => boolean;

export const nearExpiry =
  (skewMs = REFRESH_SKEW_MS): NeedsRefresh =>
  (g, _t, now) =>
    !g.accessExpiresAt || g.accessExpiresAt.getTime() - now.getTime() <= skewMs;

/** The provider rejected this access token: refresh unless someone already replaced it. */
export const rejected =
  (token: string): NeedsRefresh =>
  (g, t, now) =>
    t.accessToken === token || nearExpiry()(g, t, now);

export class GrantUnusable extends AppError {
  constructor(
    readonly grantId: string,
    readonly grantStatus: string,
  ) {
    super(
      'provider_auth_expired',
      grantStatus === 'needs_reauth'
        ? 'the connection must be reconnected (the provider refused its refresh token)'
        : `the connection is ${grantStatus}`,
      { details: { grantId, status: grantStatus } },
    );
    this.name = 'GrantUnusable';
  }
}

type Outcome =
  | { kind: 'ok'; token: string; refreshed: boolean }
  | { kind: 'unusable'; status: string }
  | { kind: 'reauth' }
  | { kind: 'failed'; error: unknown };

/**
 * A valid access token for a grant. When `needs` says so (default: within 5 minutes of expiry) the
 * grant row is locked (SELECT … FOR UPDATE), re-read, and, if still needed, refreshed at the provider;
 * the new token set (with the rotated refresh token) is saved in that same transaction before the new
 * access token is handed out. Concurrent callers, in this process or any other, wait on the lock and
 * then find the fresh token: one refresh per grant. On PGlite the transaction uses only `tx`.
 */
export async function grantAccessToken(
  deps: ConnectionsDeps,
  grantId: string,
  needs: NeedsRefresh = nearExpiry(),
): Promise<{ token: string; refreshed: boolean }> {
  const box = boxOf(deps);
  const [row] = await deps.db.select().from(grants).where(eq(grants.id, grantId));
  if (!row) throw new AppError('not_found', `grant ${grantId} not found`);
  if (row.status !== 'active' || !row.tokenCiphertext) throw new GrantUnusable(grantId, row.status);
  const current = openTokens(box, row.id, row.tokenCiphertext);
  if (!needs(row, current, deps.clock.now())) return { token: current.accessToken, refreshed: false };

  const outcome = await deps.db.transaction(async (tx): Promise<Outcome> => {
    const [locked] = await tx.select().from(grants).where(eq(grants.id, grantId)).for('update');
    if (!locked || locked.status !== 'active' || !locked.tokenCiphertext) {
      return { kind: 'unusable', status: locked?.status ?? 'missing' };
    }
    const tokens = openTokens(box, locked.id, locked.tokenCiphertext);
    const now = deps.clock.now();
    if (!needs(locked, tokens, now)) return { kind: 'ok', token: tokens.accessToken, refreshed: false };
    const provider = providerFor(deps, locked.provider);
    let fresh: TokenResponse;
    try {
      fresh = await provider.refresh(tokens.refreshToken);
    } catch (error) {
      if (isInvalidGrant(error)) {
        await markGrantNeedsReauth(
          tx,
          deps,
          locked,
          'the provider refused the refresh token (invalid_grant)',
        );
        return { kind: 'reauth' };
      }
      await tx
        .update(grants)
        .set({
          lastError: redactText(error instanceof Error ? error.message : String(error)).slice(0, 500),
          updatedAt: now,
        })
        .where(eq(grants.id, locked.id));
      return { kind: 'failed', error };
    }
    const saved = deps.clock.now();
    await tx
      .update(grants)
      .set({
        tokenCiphertext: sealTokens(box, locked.id, toStored(fresh, tokens)),
        ...tokenColumns(fresh, saved, provider.refreshIdleDays),
        lastError: null,
        updatedAt: saved,
      })
      .where(eq(grants.id, locked.id));
    return { kind: 'ok', token: fresh.accessToken, refreshed: true };
  });

  switch (outcome.kind) {
    case 'ok':
      if (outcome.refreshed) deps.logger.info({ grantId, provider: row.provider }, 'grant refreshed');
      return { token: outcome.token, refreshed: outcome.refreshed };
    case 'unusable':
      throw new GrantUnusable(grantId, outcome.status);
    case 'reauth':
      deps.logger.warn({ grantId, provider: row.provider }, 'grant needs reauthorisation (invalid_grant)');
      throw new GrantUnusable(grantId, 'needs_reauth');
    case 'failed':
      deps.logger.warn({ grantId, provider: row.provider, err: outcome.error }, 'grant refresh failed');
      throw outcome.error;
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

/** The grant behind a connection, checking the connection itself is usable (no provider call if not). */
async function grantOfConnection(deps: ConnectionsDeps, connectionId: string): Promise<string> {
  const [c] = await deps.db
    .select({ grantId: connections.grantId, status: connections.status })
    .from(connections)
    .where(eq(connections.id, connectionId));
  if (!c) throw new AppError('not_found', `connection ${connectionId} not found`);
  if (c.status !== 'active') {
    throw new AppError('provider_auth_expired', `connection ${connectionId} is ${c.status}`, {
      details: { connectionId, status: c.status },
    });
  }
  if (!c.grantId) throw new AppError('bad_request', `connection ${connectionId} has no OAuth grant`);
  return c.grantId;
}

/**
 * The token provider for connectors: plugs into `ConnCtx.accessToken`. Each call yields a valid access
 * token, refreshing under the grant's lock when it is near expiry; a connection that is not active
 * (needs_reauth, revoked, disconnected) fails with `provider_auth_expired` and no provider call.
 */
export function accessTokenFor(deps: ConnectionsDeps, connectionId: string): () => Promise<string> {
  return async () => (await grantAccessToken(deps, await grantOfConnection(deps, connectionId))).token;
}
