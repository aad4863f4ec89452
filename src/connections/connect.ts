import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseRealmId } from '../connectors/qbo/oauth.js';
import { pkcePair } from '../connectors/shared/oauth.js';
import type { XeroConnection } from '../connectors/xero/oauth.js';
import { audit } from '../db/repos/audit.js';
import { connections, exceptions, grants, oauthStates } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { AppError } from '../lib/errors.js';
import { randomToken } from '../lib/hash.js';
import { boxOf, type ConnectionsDeps, providerFor } from './deps.js';
import { type ConnectClaims, connectUrl, STATE_TTL_MS, verifyConnectToken } from './links.js';
import type { OAuthProviderId } from './providers.js';
import { grantAccessToken } from './refresh.js';
import { signToken, verifyToken } from './signing.js';
import { sealTokens, tokenColumns, toStored } from './tokens.js';

/** POST /api/v1/connect/{provider}: a short-lived signed link that starts the consent in a browser. */
export function createConnectLink(
  deps: Pick<ConnectionsDeps, 'config' | 'clock'> & Partial<ConnectionsDeps>,
  claims: ConnectClaims,
): { url: string; expiresAt: Date } {
  return connectUrl(deps.config, deps.clock.now(), claims);
}

const StateClaims = z.object({
  nonce: z.string().min(16),
  firmId: z.uuid(),
  provider: z.enum(['xero', 'qbo']),
});

/**
 * GET /connect/{provider}?t=…: check the link, store a single-use state (with the sealed PKCE verifier
 * for Xero) and answer the provider's consent URL to redirect to.
 */
export async function beginConsent(
  deps: ConnectionsDeps,
  provider: OAuthProviderId,
  linkToken: string | undefined,
): Promise<string> {
  const now = deps.clock.now();
  const claims = verifyConnectToken(deps.config, provider, linkToken, now);
  const oauth = providerFor(deps, provider);
  const nonce = randomToken(24);
  const pkce = oauth.pkce ? pkcePair() : null;
  const expiresAt = new Date(now.getTime() + STATE_TTL_MS);
  await deps.db.insert(oauthStates).values({
    nonce,
    firmId: claims.firmId,
    provider,
    actor: claims.actor,
    apiKeyId: claims.apiKeyId,
    codeVerifierCiphertext: pkce ? boxOf(deps).seal(pkce.verifier, `state:${nonce}`) : null,
    expiresAt,
  });
  const state = signToken(deps.config, 'state', { nonce, firmId: claims.firmId, provider }, expiresAt);
  return oauth.authorizeUrl({ state, ...(pkce ? { codeChallenge: pkce.challenge } : {}) });
}

export interface CallbackQuery {
  code?: string | undefined;
  state?: string | undefined;
  realmId?: string | undefined;
  error?: string | undefined;
  error_description?: string | undefined;
}

export interface ConnectedOrg {
  id: string;
  provider: OAuthProviderId;
  displayName: string;
  tenantId: string;
}

export type CallbackResult =
  | { kind: 'connected'; firmId: string; connections: ConnectedOrg[] }
  | {
      kind: 'choose';
      firmId: string;
      grantId: string;
      orgs: { tenantId: string; name: string }[];
      chooseToken: string;
    };

/**
 * The provider's redirect. The state is verified (signature, purpose, provider, expiry) BEFORE anything
 * is written, then consumed atomically (a replay finds it used); only then is the code exchanged.
 */
export async function completeCallback(
  deps: ConnectionsDeps,
  provider: OAuthProviderId,
  q: CallbackQuery,
): Promise<CallbackResult> {
  const now = deps.clock.now();
  const claims = verifyToken(deps.config, 'state', q.state, StateClaims, now);
  if (claims.provider !== provider)
    throw new AppError('oauth_state_invalid', `the OAuth state is for ${claims.provider}`);
  const [state] = await deps.db
    .update(oauthStates)
    .set({ usedAt: now })
    .where(
      and(
        eq(oauthStates.nonce, claims.nonce),
        eq(oauthStates.firmId, claims.firmId),
        eq(oauthStates.provider, provider),
        isNull(oauthStates.usedAt),
        gt(oauthStates.expiresAt, now),
      ),
    )
    .returning();
  if (!state)
    throw new AppError(
      'oauth_state_invalid',
      'the OAuth state was already used or has expired: start the connection again',
    );
  if (q.error) {
    const code = /^[a-z_]{1,64}$/.test(q.error) ? q.error : 'error';
    throw new AppError('bad_request', `${provider} did not grant access (${code}): nothing was connected`);
  }
  if (!q.code) throw new AppError('bad_request', `${provider} sent no authorization code`);
  const realmId = provider === 'qbo' ? parseRealmId(q.realmId) : null;
  if (provider === 'qbo' && !realmId)
    throw new AppError('bad_request', 'QuickBooks sent no valid realmId with the code');

  const box = boxOf(deps);
  const oauth = providerFor(deps, provider);
  const verifier = state.codeVerifierCiphertext
    ? box.open(state.codeVerifierCiphertext, `state:${state.nonce}`)
    : null;
  const tokens = await oauth.exchange(q.code, verifier);
  let orgs: XeroConnection[] = [];
  if (provider === 'xero') {
    orgs = await oauth.listOrgs!(tokens.accessToken);
    if (orgs.length === 0) {
      await oauth.revoke(tokens.refreshToken).catch(() => undefined);
      throw new AppError(
        'bad_request',
        'no Xero organisation was authorised: choose at least one on the consent page',
      );
    }
  }

  const grantId = randomUUID();
  const saved = deps.clock.now();
  return deps.db.transaction(async (tx): Promise<CallbackResult> => {
    await tx.insert(grants).values({
      id: grantId,
      firmId: state.firmId,
      provider,
      status: 'active',
      tokenCiphertext: sealTokens(box, grantId, toStored(tokens)),
      scopes: tokens.scope ?? [...(provider === 'xero' ? deps.config.XERO_SCOPES : deps.config.QBO_SCOPES)],
      ...tokenColumns(tokens, saved, oauth.refreshIdleDays),
      createdBy: state.actor,
      pendingOrgs: provider === 'xero' && orgs.length > 1 ? orgs : null,
    });
    await audit(tx, {
      firmId: state.firmId,
      actor: state.actor,
      action: 'grant.created',
      subjectKind: 'grant',
      subjectId: grantId,
      details: { provider, apiKeyId: state.apiKeyId, organisations: orgs.length || 1 },
    });
    if (provider === 'xero' && orgs.length > 1) {
      const chooseToken = signToken(
        deps.config,
        'choose',
        { grantId, firmId: state.firmId },
        new Date(now.getTime() + STATE_TTL_MS),
      );
      return {
        kind: 'choose',
        firmId: state.firmId,
        grantId,
        orgs: orgs.map((o) => ({ tenantId: o.tenantId, name: o.tenantName ?? o.tenantId })),
        chooseToken,
      };
    }
    const targets =
      provider === 'xero'
        ? orgs.map((o) => ({
            tenantId: o.tenantId,
            providerConnectionId: o.id,
            displayName: o.tenantName ?? o.tenantId,
          }))
        : [{ tenantId: realmId!, providerConnectionId: null, displayName: `QuickBooks company ${realmId}` }];
    const made: ConnectedOrg[] = [];
    for (const t of targets) {
      made.push(
        await upsertConnection(tx, deps, {
          firmId: state.firmId,
          provider,
          grantId,
          actor: state.actor,
          apiKeyId: state.apiKeyId,
          ...t,
        }),
      );
    }
    return { kind: 'connected', firmId: state.firmId, connections: made };
  });
}

const ChooseClaims = z.object({ grantId: z.uuid(), firmId: z.uuid() });
const PendingOrgs = z.array(
  z.object({ id: z.string(), tenantId: z.string(), tenantName: z.string().nullable().optional() }),
);

/** POST /connect/xero/choose: record the chosen organisations of a fresh grant; the others are disconnected at Xero. */
export async function chooseXeroOrgs(
  deps: ConnectionsDeps,
  input: { token: string | undefined; tenantIds: string[] },
): Promise<CallbackResult & { kind: 'connected' }> {
  const claims = verifyToken(deps.config, 'choose', input.token, ChooseClaims, deps.clock.now());
  if (input.tenantIds.length === 0) throw new AppError('bad_request', 'choose at least one organisation');
  const result = await deps.db.transaction(async (tx) => {
    const [g] = await tx
      .select()
      .from(grants)
      .where(
        and(eq(grants.id, claims.grantId), eq(grants.firmId, claims.firmId), isNotNull(grants.pendingOrgs)),
      )
      .for('update');
    if (!g)
      throw new AppError(
        'oauth_state_invalid',
        'this choice was already made: start the connection again to change it',
      );
    const pending = PendingOrgs.parse(g.pendingOrgs);
    const chosen = pending.filter((o) => input.tenantIds.includes(o.tenantId));
    if (chosen.length !== new Set(input.tenantIds).size)
      throw new AppError('bad_request', 'an organisation chosen is not part of this connection');
    await tx
      .update(grants)
      .set({ pendingOrgs: null, updatedAt: deps.clock.now() })
      .where(eq(grants.id, g.id));
    const made: ConnectedOrg[] = [];
    for (const o of chosen) {
      made.push(
        await upsertConnection(tx, deps, {
          firmId: g.firmId,
          provider: 'xero',
          grantId: g.id,
          actor: g.createdBy ?? 'system',
          apiKeyId: null,
          tenantId: o.tenantId,
          providerConnectionId: o.id,
          displayName: o.tenantName ?? o.tenantId,
        }),
      );
    }
    return {
      made,
      unchosen: pending.filter((o) => !input.tenantIds.includes(o.tenantId)),
      grantId: g.id,
      firmId: g.firmId,
    };
  });
  if (result.unchosen.length) {
    // not chosen: leave them disconnected at Xero too (best effort; the grant itself stays)
    try {
      const { token } = await grantAccessToken(deps, result.grantId);
      const xero = providerFor(deps, 'xero');
      for (const o of result.unchosen) await xero.disconnectOrg!(token, o.id);
    } catch (e) {
      deps.logger.warn(
        { err: e, grantId: result.grantId },
        'could not disconnect the organisations not chosen',
      );
    }
  }
  return { kind: 'connected', firmId: result.firmId, connections: result.made };
}

/**
 * Record (or re-point, on a reconnect) the connection for one organisation/company. A reconnect keeps
 * the connection's id, so synced data stays attached; its open needs_reauth exception is resolved, and
 * a grant left without connections is retired (tokens deleted).
 */
async function upsertConnection(
  tx: Tx,
  deps: Pick<ConnectionsDeps, 'clock'>,
  c: {
    firmId: string;
    provider: OAuthProviderId;
    grantId: string;
    actor: string;
    apiKeyId: string | null;
    tenantId: string;
    providerConnectionId: string | null;
    displayName: string;
  },
): Promise<ConnectedOrg> {
  const now = deps.clock.now();
  const [before] = await tx
    .select()
    .from(connections)
    .where(
      and(
        eq(connections.firmId, c.firmId),
        eq(connections.provider, c.provider),
        eq(connections.tenantId, c.tenantId),
      ),
    );
  const [row] = await tx
    .insert(connections)
    .values({
      firmId: c.firmId,
      provider: c.provider,
      grantId: c.grantId,
      tenantId: c.tenantId,
      providerConnectionId: c.providerConnectionId,
      displayName: c.displayName,
      status: 'active',
    })
    .onConflictDoUpdate({
      target: [connections.firmId, connections.provider, connections.tenantId],
      set: {
        grantId: c.grantId,
        providerConnectionId: c.providerConnectionId,
        displayName: c.displayName,
        status: 'active',
        lastError: null,
        updatedAt: now,
      },
    })
    .returning();
  if (before) {
    await tx
      .update(exceptions)
      .set({
        status: 'resolved',
        resolvedAt: now,
        resolvedBy: c.actor,
        resolution: { reconnected: true, grantId: c.grantId },
      })
      .where(
        and(
          eq(exceptions.firmId, c.firmId),
          eq(exceptions.kind, 'connection_needs_reauth'),
          eq(exceptions.subjectId, before.id),
          eq(exceptions.status, 'open'),
        ),
      );
    if (before.grantId && before.grantId !== c.grantId) {
      const [left] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(connections)
        .where(eq(connections.grantId, before.grantId));
      if (Number(left?.n ?? 0) === 0) {
        await tx
          .update(grants)
          .set({ status: 'revoked', tokenCiphertext: null, updatedAt: now })
          .where(eq(grants.id, before.grantId));
      }
    }
  }
  await audit(tx, {
    firmId: c.firmId,
    actor: c.actor,
    action: before ? 'connection.reconnected' : 'connection.created',
    subjectKind: 'connection',
    subjectId: row!.id,
    details: { provider: c.provider, tenantId: c.tenantId, grantId: c.grantId, apiKeyId: c.apiKeyId },
  });
  return { id: row!.id, provider: c.provider, displayName: c.displayName, tenantId: c.tenantId };
}
