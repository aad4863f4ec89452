import { and, asc, eq, gt, ne, or } from 'drizzle-orm';
import { audit } from '../db/repos/audit.js';
import { connections, grants } from '../db/schema/index.js';
import { AppError } from '../lib/errors.js';
import { redactText } from '../lib/redact.js';
import { boxOf, type ConnectionsDeps, providerFor } from './deps.js';
import { isOAuthProvider } from './providers.js';
import { markConnectionNeedsReauth } from './reauth.js';
import { grantAccessToken, rejected } from './refresh.js';
import { openTokens } from './tokens.js';

/** What a person or the API sees of a connection: never a token. */
export interface ConnectionView {
  id: string;
  provider: string;
  org: { name: string; tenantId: string | null; providerConnectionId: string | null };
  status: string;
  scopes: string[];
  tokenExpiresAt: string | null;
  refreshExpiresAt: string | null;
  refreshHardExpiresAt: string | null;
  lastRefreshedAt: string | null;
  lastError: string | null;
  lastSyncedAt: string | null;
  createdAt: string;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export async function listConnections(
  deps: Pick<ConnectionsDeps, 'db'>,
  q: { firmId?: string | undefined; limit?: number; after?: { k: string; id: string } | null },
): Promise<(ConnectionView & { firmId: string })[]> {
  const conds = [];
  if (q.firmId) conds.push(eq(connections.firmId, q.firmId));
  if (q.after) {
    const at = new Date(q.after.k);
    conds.push(
      or(gt(connections.createdAt, at), and(eq(connections.createdAt, at), gt(connections.id, q.after.id)))!,
    );
  }
  const rows = await deps.db
    .select({ c: connections, g: grants })
    .from(connections)
    .leftJoin(grants, eq(grants.id, connections.grantId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(connections.createdAt), asc(connections.id))
    .limit(q.limit ?? 500);
  return rows.map(({ c, g }) => ({ firmId: c.firmId, ...toView(c, g) }));
}

export async function getConnection(
  deps: Pick<ConnectionsDeps, 'db'>,
  firmId: string,
  id: string,
): Promise<ConnectionView> {
  if (!UUID.test(id)) throw new AppError('not_found', `no connection ${id} for this firm`);
  const [r] = await deps.db
    .select({ c: connections, g: grants })
    .from(connections)
    .leftJoin(grants, eq(grants.id, connections.grantId))
    .where(and(eq(connections.id, id), eq(connections.firmId, firmId)));
  if (!r) throw new AppError('not_found', `no connection ${id} for this firm`);
  return toView(r.c, r.g);
}

function toView(c: typeof connections.$inferSelect, g: typeof grants.$inferSelect | null): ConnectionView {
  return {
    id: c.id,
    provider: c.provider,
    org: { name: c.displayName, tenantId: c.tenantId, providerConnectionId: c.providerConnectionId },
    status: c.status,
    scopes: g?.scopes ?? [],
    tokenExpiresAt: g?.tokenCiphertext ? iso(g.accessExpiresAt) : null,
    refreshExpiresAt: g?.tokenCiphertext ? iso(g.refreshExpiresAt) : null,
    refreshHardExpiresAt: g?.tokenCiphertext ? iso(g.refreshHardExpiresAt) : null,
    lastRefreshedAt: iso(g?.lastRefreshedAt),
    lastError: c.lastError ?? g?.lastError ?? null,
    lastSyncedAt: iso(c.lastSyncedAt),
    createdAt: c.createdAt.toISOString(),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * DELETE /api/v1/connections/:id. Xero: DELETE /connections/{id} at Xero, and revoke the grant when this
 * was its last live connection; QBO: revoke the grant. The tokens (and any connection secret) are
 * deleted; the row stays as `disconnected` so synced data keeps its owner. A dead grant (needs_reauth)
 * is retired locally without provider calls.
 */
export async function disconnectConnection(
  deps: ConnectionsDeps,
  input: { firmId: string; connectionId: string; actor: string; apiKeyId?: string | null },
): Promise<ConnectionView> {
  if (!UUID.test(input.connectionId))
    throw new AppError('not_found', `no connection ${input.connectionId} for this firm`);
  const [c] = await deps.db
    .select()
    .from(connections)
    .where(and(eq(connections.id, input.connectionId), eq(connections.firmId, input.firmId)));
  if (!c) throw new AppError('not_found', `no connection ${input.connectionId} for this firm`);
  if (c.status === 'disconnected') return getConnection(deps, input.firmId, c.id);

  const remote: string[] = [];
  let lastOnGrant = false;
  if (c.grantId && isOAuthProvider(c.provider)) {
    const siblings = await deps.db
      .select({ id: connections.id })
      .from(connections)
      .where(
        and(
          eq(connections.grantId, c.grantId),
          ne(connections.id, c.id),
          ne(connections.status, 'disconnected'),
        ),
      );
    lastOnGrant = siblings.length === 0;
    const [g] = await deps.db.select().from(grants).where(eq(grants.id, c.grantId));
    const oauth = providerFor(deps, c.provider);
    if (g?.status === 'active' && g.tokenCiphertext) {
      if (c.provider === 'xero' && c.providerConnectionId && oauth.disconnectOrg) {
        const { token } = await grantAccessToken(deps, g.id);
        remote.push(`xero DELETE /connections: ${await oauth.disconnectOrg(token, c.providerConnectionId)}`);
      }
      if (lastOnGrant) {
        // revoke under the grant's lock, with the refresh token current at that moment
        await deps.db.transaction(async (tx) => {
          const [locked] = await tx.select().from(grants).where(eq(grants.id, g.id)).for('update');
          if (locked?.tokenCiphertext) {
            const tokens = openTokens(boxOf(deps), locked.id, locked.tokenCiphertext);
            await oauth.revoke(tokens.refreshToken);
            remote.push(`${c.provider} token revoked`);
          }
          await tx
            .update(grants)
            .set({ status: 'revoked', tokenCiphertext: null, updatedAt: deps.clock.now() })
            .where(eq(grants.id, g.id));
        });
      }
    }
  }

  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    await tx
      .update(connections)
      .set({ status: 'disconnected', secretCiphertext: null, updatedAt: now })
      .where(eq(connections.id, c.id));
    if (c.grantId && lastOnGrant) {
      await tx
        .update(grants)
        .set({ status: 'revoked', tokenCiphertext: null, updatedAt: now })
        .where(eq(grants.id, c.grantId));
    }
    await audit(tx, {
      firmId: c.firmId,
      actor: input.actor,
      action: 'connection.deleted',
      subjectKind: 'connection',
      subjectId: c.id,
      details: {
        provider: c.provider,
        tenantId: c.tenantId,
        apiKeyId: input.apiKeyId ?? null,
        grantRevoked: Boolean(c.grantId && lastOnGrant),
        remote,
      },
    });
  });
  return getConnection(deps, input.firmId, c.id);
}

/**
 * A connector got a 401/403 from an API call. Classified by the provider's rules (status + parsed body):
 * - a token the provider no longer accepts → one forced refresh under the lock; retry with the token;
 * - Xero 401 AuthorizationUnsuccessful (tier/scope refusal), QBO 403 → recorded as the connection's last
 *   error, NOT a reauth: the grant stays active, no refresh;
 * - Xero 403 AuthenticationUnsuccessful → this org is no longer connected: needs_reauth + exception.
 */
export async function reportAuthFailure(
  deps: ConnectionsDeps,
  input: { connectionId: string; status: number; body: unknown; rejectedToken?: string },
): Promise<{ action: 'retry'; token: string } | { action: 'refused' | 'needs_reauth' | 'none' }> {
  const [c] = await deps.db.select().from(connections).where(eq(connections.id, input.connectionId));
  if (!c) throw new AppError('not_found', `connection ${input.connectionId} not found`);
  if (!isOAuthProvider(c.provider) || !c.grantId) return { action: 'none' };
  const kind = providerFor(deps, c.provider).classifyAuthFailure(input.status, input.body);
  switch (kind) {
    case 'retry_with_new_token': {
      const { token } = await grantAccessToken(
        deps,
        c.grantId,
        input.rejectedToken ? rejected(input.rejectedToken) : () => true,
      );
      return { action: 'retry', token };
    }
    case 'refused_not_reauth':
      await deps.db
        .update(connections)
        .set({
          lastError: redactText(
            `${c.provider} refused the call (${input.status}): not permitted for this app's tier or scopes`,
          ),
          updatedAt: deps.clock.now(),
        })
        .where(eq(connections.id, c.id));
      return { action: 'refused' };
    case 'connection_lost':
      await deps.db.transaction((tx) =>
        markConnectionNeedsReauth(
          tx,
          deps,
          c,
          `${c.provider} no longer authorises this organisation (${input.status})`,
        ),
      );
      return { action: 'needs_reauth' };
    case 'not_auth':
      return { action: 'none' };
    default: {
      const never: never = kind;
      return never;
    }
  }
}
