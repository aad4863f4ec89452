import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTokens } from '../../../src/connections/tokens.js';
import { rowsOf } from '../../../src/db/migrate.js';
import { auditLog, connections, grants, oauthStates } from '../../../src/db/schema/index.js';
import { secretBoxFor } from '../../../src/lib/crypto.js';
import { server } from '../../support/msw.js';
import { auth, BASE, type Harness, harness } from './harness.js';
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
  xero = fakeXero({ redirectUri: `${BASE}/connect/xero/callback` });
  qbo = fakeQbo({ redirectUri: `${BASE}/connect/qbo/callback` });
  server.use(...xero.handlers, ...qbo.handlers);
});

const count = async (table: 'grants' | 'connections') =>
  Number(
    rowsOf<{ n: number }>(
      await h.deps.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}`),
    )[0]!.n,
  );

async function connectLink(provider: 'xero' | 'qbo', key = h.key) {
  const res = await h.app.request(`/api/v1/connect/${provider}`, { method: 'POST', headers: auth(key) });
  expect(res.status).toBe(201);
  return (await res.json()) as { url: string; expiresAt: string; redirectUri: string };
}

async function openLink(url: string) {
  const u = new URL(url);
  return h.app.request(`${u.pathname}${u.search}`);
}

async function consentUrl(provider: 'xero' | 'qbo'): Promise<string> {
  const res = await openLink((await connectLink(provider)).url);
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

const callback = (provider: string, q: Record<string, string>) =>
  h.app.request(`/connect/${provider}/callback?${new URLSearchParams(q)}`);

describe('connecting Xero', () => {
  it('redirects to Xero with PKCE and a signed state, stores the tokens encrypted and the org with tenantId and connection id', async () => {
    const link = await connectLink('xero');
    expect(link.url.startsWith(`${BASE}/connect/xero?t=`)).toBe(true);
    expect(link.redirectUri).toBe(`${BASE}/connect/xero/callback`);
    const location = await consentUrl('xero');
    const u = new URL(location);
    expect(`${u.origin}${u.pathname}`).toBe('https://login.xero.com/identity/connect/authorize');
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(u.searchParams.get('redirect_uri')).toBe(`${BASE}/connect/xero/callback`);
    expect(u.searchParams.get('scope')!.split(' ')).toContain('offline_access');
    expect(u.searchParams.get('client_id')).toBe(h.deps.config.XERO_CLIENT_ID);

    const { code, state } = xero.consent(location);
    const res = await callback('xero', { code, state });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Demo Company (NZ)');
    // the exchange carried the verifier that matches the challenge (the fake checks it)
    const exchange = xero.calls('authorization_code')[0]!;
    expect(exchange.form.code_verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);

    const [c] = await h.deps.db
      .select()
      .from(connections)
      .where(
        and(
          eq(connections.firmId, h.firm.id),
          eq(connections.tenantId, 'fe79f7dd-b6d4-4a92-ba7b-538af6289c58'),
        ),
      );
    expect(c).toMatchObject({
      provider: 'xero',
      providerConnectionId: '7cb59f93-2964-421d-bb5e-a0f7a4572a44',
      status: 'active',
      displayName: 'Demo Company (NZ)',
    });
    const [g] = await h.deps.db.select().from(grants).where(eq(grants.id, c!.grantId!));
    const issued = xero.state.issued[0]!;
    // the stored column holds no plaintext token, and opens to the issued token set
    expect(g!.tokenCiphertext).not.toContain(issued.accessToken);
    expect(g!.tokenCiphertext).not.toContain(issued.refreshToken);
    expect(g!.tokenCiphertext).not.toContain(issued.refreshToken.slice(0, 12));
    expect(g!.tokenCiphertext!.startsWith('lb1.k1.')).toBe(true);
    const opened = openTokens(secretBoxFor(h.deps.config), g!.id, g!.tokenCiphertext!);
    expect(opened).toMatchObject({ accessToken: issued.accessToken, refreshToken: issued.refreshToken });
    expect(g!.accessExpiresAt!.getTime()).toBe(h.clock.now().getTime() + 1800_000);
    expect(g!.scopes).toContain('accounting.invoices');

    const logs = await h.deps.db.select().from(auditLog).where(eq(auditLog.subjectId, c!.id));
    expect(logs.map((l) => [l.action, l.actor])).toEqual([['connection.created', 'ops-laptop']]);
    expect((logs[0]!.details as { apiKeyId: string }).apiKeyId).toBe(h.keyId);
  });

  it('shows a choice page when the grant reaches several organisations and records only the chosen one', async () => {
    xero.state.orgs = [
      {
        id: 'c0000000-0000-4000-8000-000000000001',
        tenantId: 't0000000-0000-4000-8000-00000000000a',
        tenantName: 'Hale Trust Ltd',
        tenantType: 'ORGANISATION',
        createdDateUtc: '2025-01-01T00:00:00',
        updatedDateUtc: '2025-01-01T00:00:00',
      },
      {
        id: 'c0000000-0000-4000-8000-000000000002',
        tenantId: 't0000000-0000-4000-8000-00000000000b',
        tenantName: 'Hale Operating LLP',
        tenantType: 'ORGANISATION',
        createdDateUtc: '2025-01-01T00:00:00',
        updatedDateUtc: '2025-01-01T00:00:00',
      },
      {
        id: 'c0000000-0000-4000-8000-000000000003',
        tenantId: 't0000000-0000-4000-8000-00000000000c',
        tenantName: 'Practice',
        tenantType: 'PRACTICE',
        createdDateUtc: '2025-01-01T00:00:00',
        updatedDateUtc: '2025-01-01T00:00:00',
      },
    ];
    const before = await count('connections');
    const { code, state } = xero.consent(await consentUrl('xero'));
    const res = await callback('xero', { code, state });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Hale Trust Ltd');
    expect(html).toContain('Hale Operating LLP');
    expect(html).not.toContain('Practice</label>');
    expect(await count('connections')).toBe(before);
    const token = /name="token" value="([^"]+)"/.exec(html)![1]!;

    const form = new URLSearchParams({ token, tenantId: 't0000000-0000-4000-8000-00000000000b' });
    const chosen = await h.app.request('/connect/xero/choose', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(chosen.status).toBe(200);
    expect(await count('connections')).toBe(before + 1);
    const [c] = await h.deps.db
      .select()
      .from(connections)
      .where(eq(connections.tenantId, 't0000000-0000-4000-8000-00000000000b'));
    expect(c!.providerConnectionId).toBe('c0000000-0000-4000-8000-000000000002');
    // the organisation not chosen is disconnected at Xero
    const deletes = xero.state.seen.filter((s) => s.method === 'DELETE').map((s) => s.url);
    expect(deletes).toEqual(['https://api.xero.com/connections/c0000000-0000-4000-8000-000000000001']);
    // the choice is made once
    const again = await h.app.request('/connect/xero/choose', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(again.status).toBe(400);
  });
});

describe('connecting QuickBooks Online', () => {
  it('takes the realmId from the redirect and keeps the refresh token expiries Intuit sends', async () => {
    const location = await consentUrl('qbo');
    const u = new URL(location);
    expect(`${u.origin}${u.pathname}`).toBe('https://appcenter.intuit.com/connect/oauth2');
    expect(u.searchParams.get('scope')).toBe('com.intuit.quickbooks.accounting');
    expect(u.searchParams.get('code_challenge')).toBeNull();
    const { code, state, realmId } = qbo.consent(location, '9130349553457836');
    const res = await callback('qbo', { code, state, realmId });
    expect(res.status).toBe(200);
    const [c] = await h.deps.db
      .select()
      .from(connections)
      .where(eq(connections.tenantId, '9130349553457836'));
    expect(c).toMatchObject({ provider: 'qbo', status: 'active', firmId: h.firm.id });
    const [g] = await h.deps.db.select().from(grants).where(eq(grants.id, c!.grantId!));
    const now = h.clock.now().getTime();
    expect(g!.refreshExpiresAt!.getTime()).toBe(now + 8_726_400_000);
    expect(g!.refreshHardExpiresAt!.getTime()).toBe(now + 156_032_154_000);
    expect(g!.tokenCiphertext).not.toContain(qbo.state.issued[0]!.refreshToken);
  });

  it('refuses a callback without a realmId', async () => {
    const { code, state } = qbo.consent(await consentUrl('qbo'));
    const res = await callback('qbo', { code, state });
    expect(res.status).toBe(400);
  });
});

describe('state and connect links', () => {
  it('rejects a tampered state with 400, exchanges nothing and stores nothing', async () => {
    const { code, state } = xero.consent(await consentUrl('xero'));
    const [body, sig] = state.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    claims.d.firmId = h.other.firmId;
    const forged = `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    const before = [await count('grants'), await count('connections')];
    const res = await callback('xero', { code, state: forged });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('oauth_state_invalid');
    expect([await count('grants'), await count('connections')]).toEqual(before);
    expect(xero.calls()).toHaveLength(0);
  });

  it('rejects an expired state with 400 and stores nothing', async () => {
    const { code, state } = xero.consent(await consentUrl('xero'));
    h.clock.advance(11 * 60_000);
    const before = [await count('grants'), await count('connections')];
    const res = await callback('xero', { code, state });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/expired/);
    expect([await count('grants'), await count('connections')]).toEqual(before);
    expect(xero.calls()).toHaveLength(0);
  });

  it('accepts a state once: the replayed callback gets 400 and stores nothing more', async () => {
    const { code, state } = xero.consent(await consentUrl('xero'));
    expect((await callback('xero', { code, state })).status).toBe(200);
    const before = [await count('grants'), await count('connections')];
    const again = await callback('xero', { code, state });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { detail: string }).detail).toMatch(/already used/);
    expect([await count('grants'), await count('connections')]).toEqual(before);
    expect(xero.calls('authorization_code')).toHaveLength(1);
    const [s] = await h.deps.db
      .select()
      .from(oauthStates)
      .where(sql`${oauthStates.usedAt} is not null`)
      .limit(1);
    expect(s).toBeDefined();
  });

  it('answers 400 when the person declines consent, and the state cannot be used again', async () => {
    const { state } = xero.consent(await consentUrl('xero'));
    const before = [await count('grants'), await count('connections')];
    const res = await callback('xero', { error: 'access_denied', state });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/access_denied/);
    expect((await callback('xero', { code: 'x', state })).status).toBe(400);
    expect([await count('grants'), await count('connections')]).toEqual(before);
    expect(xero.calls()).toHaveLength(0);
  });

  it('rejects a connect link past its lifetime with 400 and stores no state', async () => {
    const link = await connectLink('xero');
    h.clock.advance(16 * 60_000);
    const states = Number(
      rowsOf<{ n: number }>(await h.deps.db.execute(sql`select count(*)::int as n from oauth_states`))[0]!.n,
    );
    const res = await openLink(link.url);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/connect link has expired/);
    expect(
      Number(
        rowsOf<{ n: number }>(await h.deps.db.execute(sql`select count(*)::int as n from oauth_states`))[0]!
          .n,
      ),
    ).toBe(states);
  });

  it('rejects a connect link with a forged signature, with an HTML page for a browser', async () => {
    const link = await connectLink('qbo');
    const u = new URL(`${link.url.slice(0, -3)}AAA`);
    const res = await h.app.request(`${u.pathname}${u.search}`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('the connect link signature does not match');
  });
});

describe('API access to connections', () => {
  async function connectedXero(): Promise<string> {
    const { code, state } = xero.consent(await consentUrl('xero'));
    expect((await callback('xero', { code, state })).status).toBe(200);
    const [c] = await h.deps.db
      .select()
      .from(connections)
      .where(
        and(
          eq(connections.firmId, h.firm.id),
          eq(connections.tenantId, 'fe79f7dd-b6d4-4a92-ba7b-538af6289c58'),
        ),
      );
    return c!.id;
  }

  it('answers 401 without a key and 404 for another firm’s key', async () => {
    const id = await connectedXero();
    expect((await h.app.request('/api/v1/connections')).status).toBe(401);
    expect((await h.app.request('/api/v1/connect/xero', { method: 'POST' })).status).toBe(401);
    expect((await h.app.request(`/api/v1/connections/${id}`, { headers: auth(h.other.key) })).status).toBe(
      404,
    );
    expect(
      (await h.app.request(`/api/v1/connections/${id}`, { method: 'DELETE', headers: auth(h.other.key) }))
        .status,
    ).toBe(404);
    const list = (await (
      await h.app.request('/api/v1/connections', { headers: auth(h.other.key) })
    ).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
    const [c] = await h.deps.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe('active');
  });

  it('lists provider, organisation, status, scopes, token expiry and last error, and never a token', async () => {
    const id = await connectedXero();
    const res = await h.app.request('/api/v1/connections', { headers: auth(h.key) });
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as { items: Record<string, unknown>[] };
    const item = body.items.find((i) => i.id === id)!;
    expect(item).toMatchObject({
      provider: 'xero',
      org: {
        name: 'Demo Company (NZ)',
        tenantId: 'fe79f7dd-b6d4-4a92-ba7b-538af6289c58',
        providerConnectionId: '7cb59f93-2964-421d-bb5e-a0f7a4572a44',
      },
      status: 'active',
      lastError: null,
    });
    expect(item.scopes).toContain('offline_access');
    expect(item.tokenExpiresAt).toBe(new Date(h.clock.now().getTime() + 1800_000).toISOString());
    for (const t of xero.state.issued) {
      expect(text).not.toContain(t.accessToken);
      expect(text).not.toContain(t.refreshToken);
    }
    expect(text).not.toMatch(/lb1\./);
  });

  it('DELETE disconnects at Xero, revokes the grant when it was the last, deletes the tokens and audits the key', async () => {
    const id = await connectedXero();
    const [c0] = await h.deps.db.select().from(connections).where(eq(connections.id, id));
    const res = await h.app.request(`/api/v1/connections/${id}`, { method: 'DELETE', headers: auth(h.key) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('disconnected');
    const issued = xero.state.issued.at(-1)!;
    expect(xero.state.seen.filter((s) => s.method === 'DELETE').map((s) => s.url)).toEqual([
      'https://api.xero.com/connections/7cb59f93-2964-421d-bb5e-a0f7a4572a44',
    ]);
    const revoke = xero.state.seen.find((s) => s.url === 'https://identity.xero.com/connect/revocation')!;
    expect(revoke.form.token).toBe(issued.refreshToken);
    const [g] = await h.deps.db.select().from(grants).where(eq(grants.id, c0!.grantId!));
    expect(g).toMatchObject({ status: 'revoked', tokenCiphertext: null });
    const [entry] = await h.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, id), eq(auditLog.action, 'connection.deleted')));
    expect(entry!.actor).toBe('ops-laptop');
    expect(entry!.details).toMatchObject({ apiKeyId: h.keyId, grantRevoked: true });
  });

  it('DELETE of a QBO company revokes its grant at Intuit', async () => {
    const { code, state, realmId } = qbo.consent(await consentUrl('qbo'), '4620816365169001');
    expect((await callback('qbo', { code, state, realmId })).status).toBe(200);
    const [c] = await h.deps.db
      .select()
      .from(connections)
      .where(eq(connections.tenantId, '4620816365169001'));
    const res = await h.app.request(`/api/v1/connections/${c!.id}`, {
      method: 'DELETE',
      headers: auth(h.key),
    });
    expect(res.status).toBe(200);
    const revoke = qbo.state.seen.find(
      (s) => s.url === 'https://developer.api.intuit.com/v2/oauth2/tokens/revoke',
    )!;
    expect(revoke.json).toEqual({ token: qbo.state.issued.at(-1)!.refreshToken });
    const [g] = await h.deps.db.select().from(grants).where(eq(grants.id, c!.grantId!));
    expect(g).toMatchObject({ status: 'revoked', tokenCiphertext: null });
  });
});

describe('API keys over the API', () => {
  it('lists the firm’s keys without the key, revokes one, and audits the key that did it', async () => {
    const { createApiKey } = await import('../../../src/db/repos/api-keys.js');
    const spare = await createApiKey(h.deps.db, { firmId: h.firm.id, name: 'old-script', actor: 'test' });
    const list = await h.app.request('/api/v1/keys', { headers: auth(h.key) });
    const text = await list.text();
    expect(text).toContain('old-script');
    expect(text).not.toContain(spare.key);
    expect(
      (await h.app.request(`/api/v1/keys/${spare.info.id}`, { method: 'DELETE', headers: auth(h.other.key) }))
        .status,
    ).toBe(404);
    const res = await h.app.request(`/api/v1/keys/${spare.info.id}`, {
      method: 'DELETE',
      headers: auth(h.key),
    });
    expect(res.status).toBe(200);
    expect((await h.app.request('/api/v1/connections', { headers: auth(spare.key) })).status).toBe(401);
    const [entry] = await h.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, spare.info.id), eq(auditLog.action, 'api_key.revoked')));
    expect(entry!.actor).toBe('ops-laptop');
    expect(entry!.details).toMatchObject({ name: 'old-script', byApiKeyId: h.keyId });
  });
});
