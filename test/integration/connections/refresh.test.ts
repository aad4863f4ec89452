import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pruneOAuthStates, refreshIdleGrants } from '../../../src/connections/idle.js';
import { reportAuthFailure } from '../../../src/connections/lifecycle.js';
import { accessTokenFor, GrantUnusable } from '../../../src/connections/refresh.js';
import { openTokens } from '../../../src/connections/tokens.js';
import { connections, exceptions } from '../../../src/db/schema/index.js';
import { secretBoxFor } from '../../../src/lib/crypto.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';
import { grantRow, type Harness, harness, seedGrant } from './harness.js';
import { fakeQbo, fakeXero } from './identity.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

let xero: ReturnType<typeof fakeXero>;
let qbo: ReturnType<typeof fakeQbo>;
beforeEach(() => {
  xero = fakeXero({ redirectUri: 'https://lb.example.test/connect/xero/callback', refreshDelayMs: 150 });
  qbo = fakeQbo({ redirectUri: 'https://lb.example.test/connect/qbo/callback' });
  server.use(...xero.handlers, ...qbo.handlers);
});

const soon = () => new Date(h.clock.now().getTime() + 60_000);

describe('single-flight refresh', () => {
  it('five concurrent callers just before expiry cause one refresh call and all get the new token', async () => {
    const seeded = xero.seed();
    const { grantId, connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens: seeded,
      accessExpiresAt: soon(),
    });
    const token = accessTokenFor(h.deps, connectionIds[0]!);
    const got = await Promise.all([token(), token(), token(), token(), token()]);
    expect(xero.calls('refresh_token')).toHaveLength(1);
    const issued = xero.state.issued[0]!;
    expect(got).toEqual(Array(5).fill(issued.accessToken));
    const g = await grantRow(h, grantId);
    const stored = openTokens(secretBoxFor(h.deps.config), grantId, g.tokenCiphertext!);
    expect(stored.refreshToken).toBe(issued.refreshToken);
    expect(g.accessExpiresAt!.getTime()).toBe(h.clock.now().getTime() + 1800_000);
    expect(g.status).toBe('active');
  });

  it('does not refresh a token that is valid for more than five minutes', async () => {
    const seeded = xero.seed();
    const { connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens: seeded,
      accessExpiresAt: new Date(h.clock.now().getTime() + 20 * 60_000),
      tenantIds: ['11111111-2222-4333-8444-555555555555'],
    });
    expect(await accessTokenFor(h.deps, connectionIds[0]!)()).toBe(seeded.accessToken);
    expect(xero.calls()).toHaveLength(0);
  });

  it('keeps the latest QBO refresh token and its hard expiry on every refresh', async () => {
    const seeded = qbo.seed();
    const { grantId, connectionIds } = await seedGrant(h, {
      provider: 'qbo',
      tokens: seeded,
      accessExpiresAt: soon(),
      tenantIds: ['9130349553457836'],
    });
    await accessTokenFor(h.deps, connectionIds[0]!)();
    const g = await grantRow(h, grantId);
    const stored = openTokens(secretBoxFor(h.deps.config), grantId, g.tokenCiphertext!);
    expect(stored.refreshToken).toBe(qbo.state.issued[0]!.refreshToken);
    expect(stored.refreshToken).not.toBe(seeded.refreshToken);
    const now = h.clock.now().getTime();
    expect(g.refreshExpiresAt!.getTime()).toBe(now + 8_726_400_000);
    expect(g.refreshHardExpiresAt!.getTime()).toBe(now + 156_032_154_000);
    const refreshCall = qbo.state.seen.find((s) => s.form.grant_type === 'refresh_token')!;
    expect(refreshCall.form.refresh_token).toBe(seeded.refreshToken);
  });
});

describe('invalid_grant', () => {
  it('moves the grant and its connections to needs_reauth with an exception, and makes no further provider calls', async () => {
    const seeded = xero.seed();
    xero.state.used.add(seeded.refreshToken); // a refresh token already spent elsewhere
    const { grantId, connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens: seeded,
      accessExpiresAt: soon(),
      tenantIds: ['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002'],
    });
    const token = accessTokenFor(h.deps, connectionIds[0]!);
    await expect(token()).rejects.toBeInstanceOf(GrantUnusable);
    expect(xero.calls('refresh_token')).toHaveLength(1);

    expect((await grantRow(h, grantId)).status).toBe('needs_reauth');
    const rows = await h.deps.db.select().from(connections).where(eq(connections.grantId, grantId));
    expect(rows.map((r) => r.status)).toEqual(['needs_reauth', 'needs_reauth']);
    const ex = await h.deps.db
      .select()
      .from(exceptions)
      .where(eq(exceptions.kind, 'connection_needs_reauth'));
    const mine = ex.filter((e) => connectionIds.includes(e.subjectId));
    expect(mine).toHaveLength(2);
    const details = mine[0]!.details as { reconnectUrl: string; provider: string };
    expect(details.provider).toBe('xero');
    expect(details.reconnectUrl).toMatch(/^https:\/\/lb\.example\.test\/connect\/xero\?t=/);

    await expect(token()).rejects.toThrow(/needs_reauth/);
    await expect(accessTokenFor(h.deps, connectionIds[1]!)()).rejects.toThrow(/needs_reauth/);
    expect(xero.calls()).toHaveLength(1);
  });
});

describe('401 from an API call', () => {
  it('a Xero tier refusal (401 AuthorizationUnsuccessful) records the error but neither refreshes nor asks for reauth', async () => {
    const seeded = xero.seed();
    const { grantId, connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens: seeded,
      accessExpiresAt: new Date(h.clock.now().getTime() + 20 * 60_000),
      tenantIds: ['bbbbbbbb-0000-4000-8000-000000000001'],
    });
    const body = jsonFixture('xero', 'auth-401-authorization-unsuccessful.journals-tier.json');
    const r = await reportAuthFailure(h.deps, {
      connectionId: connectionIds[0]!,
      status: 401,
      body,
      rejectedToken: seeded.accessToken,
    });
    expect(r).toEqual({ action: 'refused' });
    expect(xero.calls()).toHaveLength(0);
    expect((await grantRow(h, grantId)).status).toBe('active');
    const [c] = await h.deps.db.select().from(connections).where(eq(connections.id, connectionIds[0]!));
    expect(c!.status).toBe('active');
    expect(c!.lastError).toMatch(/tier or scopes/);
    const ex = await h.deps.db.select().from(exceptions).where(eq(exceptions.subjectId, connectionIds[0]!));
    expect(ex).toHaveLength(0);
    expect(await accessTokenFor(h.deps, connectionIds[0]!)()).toBe(seeded.accessToken);
  });

  it('a Xero 401 TokenExpired refreshes once under the lock and hands back the new token', async () => {
    const seeded = xero.seed();
    const { connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens: seeded,
      accessExpiresAt: new Date(h.clock.now().getTime() + 20 * 60_000),
      tenantIds: ['cccccccc-0000-4000-8000-000000000001'],
    });
    const body = {
      Type: null,
      Title: 'Unauthorized',
      Status: 401,
      Detail: 'TokenExpired: token expired at 12/03/2026 10:00:00',
    };
    const [a, b] = await Promise.all([
      reportAuthFailure(h.deps, {
        connectionId: connectionIds[0]!,
        status: 401,
        body,
        rejectedToken: seeded.accessToken,
      }),
      reportAuthFailure(h.deps, {
        connectionId: connectionIds[0]!,
        status: 401,
        body,
        rejectedToken: seeded.accessToken,
      }),
    ]);
    expect(xero.calls('refresh_token')).toHaveLength(1);
    expect(a).toEqual({ action: 'retry', token: xero.state.issued[0]!.accessToken });
    expect(b).toEqual(a);
  });
});

describe('idle grants', () => {
  it('refreshes a grant idle for over a week and leaves a recently refreshed one alone', async () => {
    const idle = xero.seed();
    const busy = xero.seed();
    const far = new Date(h.clock.now().getTime() + 25 * 60_000);
    const a = await seedGrant(h, {
      provider: 'xero',
      tokens: idle,
      accessExpiresAt: far,
      lastRefreshedAt: new Date(h.clock.now().getTime() - 8 * 86_400_000),
      tenantIds: ['dddddddd-0000-4000-8000-000000000001'],
    });
    const b = await seedGrant(h, {
      provider: 'xero',
      tokens: busy,
      accessExpiresAt: far,
      tenantIds: ['dddddddd-0000-4000-8000-000000000002'],
    });
    const report = await refreshIdleGrants(h.deps);
    expect(report).toMatchObject({ refreshed: 1, needsReauth: 0, failed: 0 });
    const refreshed = xero.calls('refresh_token').map((s) => s.form.refresh_token);
    expect(refreshed).toEqual([idle.refreshToken]);
    expect((await grantRow(h, a.grantId)).lastRefreshedAt!.getTime()).toBe(h.clock.now().getTime());
    const bRow = await grantRow(h, b.grantId);
    expect(openTokens(secretBoxFor(h.deps.config), b.grantId, bRow.tokenCiphertext!).refreshToken).toBe(
      busy.refreshToken,
    );
  });
});

describe('OAuth state housekeeping', () => {
  it('deletes states expired for over a day and keeps recent ones', async () => {
    const { oauthStates } = await import('../../../src/db/schema/index.js');
    const now = h.clock.now().getTime();
    await h.deps.db.insert(oauthStates).values([
      {
        nonce: 'old-nonce-0000000000000001',
        firmId: h.firm.id,
        provider: 'xero',
        actor: 'cli',
        expiresAt: new Date(now - 2 * 86_400_000),
      },
      {
        nonce: 'new-nonce-0000000000000002',
        firmId: h.firm.id,
        provider: 'xero',
        actor: 'cli',
        expiresAt: new Date(now + 600_000),
      },
    ]);
    expect(await pruneOAuthStates(h.deps)).toBe(1);
    const left = await h.deps.db.select({ nonce: oauthStates.nonce }).from(oauthStates);
    expect(left.map((r) => r.nonce)).toEqual(['new-nonce-0000000000000002']);
  });
});
