import { eq } from 'drizzle-orm';
import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportAuthFailure } from '../../../src/connections/lifecycle.js';
import { accessTokenFor } from '../../../src/connections/refresh.js';
import { connections, grants } from '../../../src/db/schema/index.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';
import { auth, BASE, type Harness, harness, seedGrant } from './harness.js';
import { CLIENT, fakeQbo, fakeXero, xeroAccessToken, xeroRefreshToken } from './identity.js';

/**
 * Every log line, error message, stored last_error and HTTP body produced while providers misbehave
 * (error bodies that echo parts of a token) is searched for any 12-character piece of any secret.
 */
let h: Harness;
const secrets: string[] = [];
const seen: string[] = [];
beforeAll(async () => {
  h = await harness();
  secrets.push(CLIENT.xero.secret, CLIENT.qbo.secret, h.key, h.other.key);
});
afterAll(async () => {
  await h?.close();
});

function leaks(texts: string[]): string[] {
  const found: string[] = [];
  for (const s of secrets) {
    for (let i = 0; i + 12 <= s.length; i += 4) {
      const piece = s.slice(i, i + 12);
      for (const t of texts) if (t.includes(piece)) found.push(`${piece} in ${t.slice(0, 160)}`);
    }
  }
  return found;
}

async function capture(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    seen.push(e instanceof Error ? `${e.message} ${JSON.stringify(e)}` : String(e));
  }
}

describe('secrets stay out of logs and errors', () => {
  it('a refresh refused with a body echoing part of the refresh token leaks nothing', async () => {
    const tokens = { accessToken: xeroAccessToken(), refreshToken: xeroRefreshToken() };
    secrets.push(tokens.accessToken, tokens.refreshToken);
    const { grantId, connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens,
      accessExpiresAt: new Date(h.clock.now().getTime() + 30_000),
    });
    server.use(
      http.post('https://identity.xero.com/connect/token', () =>
        HttpResponse.json(
          {
            error: 'invalid_grant',
            error_description: `refresh token ${tokens.refreshToken.slice(8, 40)} was already used`,
          },
          { status: 400 },
        ),
      ),
    );
    await capture(accessTokenFor(h.deps, connectionIds[0]!)());
    const [g] = await h.deps.db.select().from(grants).where(eq(grants.id, grantId));
    expect(g!.status).toBe('needs_reauth');
    seen.push(g!.lastError ?? '');
  });

  it('a token endpoint 500 that echoes the whole request (client secret, refresh token) leaks nothing', async () => {
    const tokens = { accessToken: xeroAccessToken(), refreshToken: xeroRefreshToken() };
    secrets.push(tokens.accessToken, tokens.refreshToken);
    const { grantId, connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens,
      accessExpiresAt: new Date(h.clock.now().getTime() + 30_000),
      tenantIds: ['eeeeeeee-0000-4000-8000-000000000001'],
    });
    server.use(
      http.post('https://identity.xero.com/connect/token', async ({ request }) =>
        HttpResponse.json(
          {
            error: 'server_error',
            error_description: `token …${tokens.refreshToken.slice(-20)} failed; request ${await request.text()} client ${CLIENT.xero.secret}`,
          },
          { status: 500 },
        ),
      ),
    );
    await capture(accessTokenFor(h.deps, connectionIds[0]!)());
    const [g] = await h.deps.db.select().from(grants).where(eq(grants.id, grantId));
    expect(g!.status).toBe('active');
    expect(g!.lastError).toMatch(/xero token endpoint answered 500/);
    seen.push(g!.lastError ?? '');
  });

  it('a QBO 401 fault echoing the access token, logged by a connector, leaks nothing', async () => {
    const qbo = fakeQbo({ redirectUri: `${BASE}/connect/qbo/callback` });
    server.use(...qbo.handlers);
    const fault = jsonFixture<{ fault: { error: { detail: string }[] } }>(
      'qbo',
      'fault-401-authentication-lowercase.json',
    );
    const echoed = fault.fault.error[0]!.detail.replace('Token expired: ', '');
    const tokens = {
      accessToken: `${echoed}Qm9vZ2xlIHRva2Vu`,
      refreshToken: 'RT1-39-H3-1785429816rcysb9dns1ofreknypnm',
    };
    secrets.push(tokens.accessToken, tokens.refreshToken);
    qbo.state.refresh.add(tokens.refreshToken);
    const { connectionIds } = await seedGrant(h, {
      provider: 'qbo',
      tokens,
      accessExpiresAt: new Date(h.clock.now().getTime() + 40 * 60_000),
      tenantIds: ['4620816365169002'],
    });
    const token = await accessTokenFor(h.deps, connectionIds[0]!)();
    h.deps.logger.warn({ status: 401, body: fault }, 'qbo call refused');
    h.deps.logger.warn(`qbo said: ${JSON.stringify(fault)}`);
    const r = await reportAuthFailure(h.deps, {
      connectionId: connectionIds[0]!,
      status: 401,
      body: fault,
      rejectedToken: token,
    });
    expect(r.action).toBe('retry');
    if (r.action === 'retry') secrets.push(r.token);
    const [c] = await h.deps.db.select().from(connections).where(eq(connections.id, connectionIds[0]!));
    seen.push(c!.lastError ?? '');
  });

  it('HTTP answers (bad key, bad state, provider failure in the callback) leak nothing', async () => {
    const xero = fakeXero({ redirectUri: `${BASE}/connect/xero/callback` });
    server.use(...xero.handlers);
    const bodies: string[] = [];
    bodies.push(await (await h.app.request('/api/v1/connections', { headers: auth(`${h.key}x`) })).text());
    const link = (await (
      await h.app.request('/api/v1/connect/xero', { method: 'POST', headers: auth(h.key) })
    ).json()) as { url: string };
    const u = new URL(link.url);
    const start = await h.app.request(`${u.pathname}${u.search}`);
    const { state } = xero.consent(start.headers.get('location')!);
    server.use(
      http.post('https://identity.xero.com/connect/token', async ({ request }) =>
        HttpResponse.json(
          { error: 'invalid_client', error_description: `bad ${request.headers.get('authorization')}` },
          { status: 400 },
        ),
      ),
    );
    const cb = await h.app.request(
      `/connect/xero/callback?${new URLSearchParams({ code: 'abc123', state })}`,
    );
    expect(cb.status).toBe(502);
    bodies.push(await cb.text());
    seen.push(...bodies);
  });

  it('found no secret in any log line, error, stored error or HTTP body', () => {
    const texts = [...seen, ...h.logs];
    expect(h.logs.length).toBeGreaterThan(3);
    expect(leaks(texts)).toEqual([]);
  });
});
