import { createHash, randomBytes } from 'node:crypto';
import { delay, HttpResponse, http } from 'msw';
import { jsonFixture } from '../../support/fixtures.js';

/**
 * Stateful fakes of the identity endpoints, served through msw and built from the shared fixtures:
 * Xero (token with PKCE check, single-use rotating refresh tokens, revocation, /connections) and Intuit
 * (discovery document, token with x_refresh_token_* fields, revoke). They check what a real provider
 * checks (client credentials, redirect_uri, code_verifier vs code_challenge, refresh token reuse) and
 * record every request they receive.
 *
 * Fixture provenance: xero/oauth-token.response.json is the token response shape from Xero's OAuth 2.0
 * docs; qbo/openid-sandbox-configuration.json is Intuit's sandbox discovery document;
 * xero/connections.response.json, xero/oauth-token-refresh.invalid-grant.400.json,
 * qbo/oauth-token-refresh-response.json and qbo/oauth-invalid-grant.json are the shared fixtures.
 */
export const CLIENT = {
  xero: {
    id: 'XEROCLIENTID0000000000000000000A',
    secret: 'xero-client-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  },
  qbo: {
    id: 'ABqboClientId000000000000000000000000000000000',
    secret: 'qbo-client-secret-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  },
};

export interface Seen {
  method: string;
  url: string;
  form: Record<string, string>;
  json: unknown;
  authorization: string | null;
}

const rand = (n = 24) => randomBytes(n).toString('base64url');
export const xeroAccessToken = () => `eyJhbGciOiJSUzI1NiIsImtpZCI6IjFDQUY4RTY2In0.${rand(48)}.${rand(32)}`;
export const xeroRefreshToken = () => randomBytes(32).toString('hex');
export const qboAccessToken = () =>
  `eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..${rand(40)}.${rand(64)}.${rand(16)}`;
export const qboRefreshToken = () =>
  `RT1-${10 + Math.floor(Math.random() * 89)}-H0-${Date.now()}${rand(12).toLowerCase()}`;

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function readSeen(request: Request): Promise<Seen> {
  const text = await request.clone().text();
  let json: unknown = null;
  let form: Record<string, string> = {};
  if ((request.headers.get('content-type') ?? '').includes('json')) json = text ? JSON.parse(text) : null;
  else form = Object.fromEntries(new URLSearchParams(text));
  return {
    method: request.method,
    url: request.url,
    form,
    json,
    authorization: request.headers.get('authorization'),
  };
}

type Org = {
  id: string;
  tenantId: string;
  tenantName: string;
  tenantType: string;
  createdDateUtc: string;
  updatedDateUtc: string;
};

export function fakeXero(opts: { redirectUri: string; refreshDelayMs?: number; orgs?: Org[] }) {
  const template = jsonFixture<Record<string, unknown>>('xero', 'oauth-token.response.json');
  const state = {
    seen: [] as Seen[],
    /** code → the code_challenge sent to the consent page */
    codes: new Map<string, { challenge: string; redirectUri: string }>(),
    /** live refresh token → live access token */
    refresh: new Map<string, string>(),
    access: new Set<string>(),
    used: new Set<string>(),
    revoked: new Set<string>(),
    orgs: opts.orgs ?? jsonFixture<Org[]>('xero', 'connections.response.json'),
    /** Make the next refreshes fail like this. */
    refreshAnswer: null as null | { status: number; body: unknown },
    issued: [] as { accessToken: string; refreshToken: string }[],
  };
  const issue = () => {
    const t = { accessToken: xeroAccessToken(), refreshToken: xeroRefreshToken() };
    state.refresh.set(t.refreshToken, t.accessToken);
    state.access.add(t.accessToken);
    state.issued.push(t);
    return {
      ...template,
      access_token: t.accessToken,
      refresh_token: t.refreshToken,
      id_token: `${xeroAccessToken()}`,
    };
  };
  /** What the consent page does: remember the challenge, hand back a code. */
  const consent = (authorizeUrl: string): { code: string; state: string } => {
    const u = new URL(authorizeUrl);
    const code = rand(32);
    state.codes.set(code, {
      challenge: u.searchParams.get('code_challenge') ?? '',
      redirectUri: u.searchParams.get('redirect_uri') ?? '',
    });
    return { code, state: u.searchParams.get('state') ?? '' };
  };
  /** Seed a live token set (as if a consent had happened). */
  const seed = () => {
    const t = { accessToken: xeroAccessToken(), refreshToken: xeroRefreshToken() };
    state.refresh.set(t.refreshToken, t.accessToken);
    state.access.add(t.accessToken);
    return t;
  };
  const handlers = [
    http.post('https://identity.xero.com/connect/token', async ({ request }) => {
      const s = await readSeen(request);
      state.seen.push(s);
      if (s.authorization !== basic(CLIENT.xero.id, CLIENT.xero.secret))
        return HttpResponse.json({ error: 'invalid_client' }, { status: 400 });
      if (s.form.grant_type === 'authorization_code') {
        const c = state.codes.get(s.form.code ?? '');
        state.codes.delete(s.form.code ?? '');
        const challenge = createHash('sha256')
          .update(s.form.code_verifier ?? '')
          .digest('base64url');
        if (
          !c ||
          c.challenge !== challenge ||
          s.form.redirect_uri !== opts.redirectUri ||
          c.redirectUri !== opts.redirectUri
        ) {
          return HttpResponse.json({ error: 'invalid_grant' }, { status: 400 });
        }
        return HttpResponse.json(issue());
      }
      if (s.form.grant_type === 'refresh_token') {
        if (opts.refreshDelayMs) await delay(opts.refreshDelayMs);
        if (state.refreshAnswer)
          return HttpResponse.json(state.refreshAnswer.body as Record<string, unknown>, {
            status: state.refreshAnswer.status,
          });
        const rt = s.form.refresh_token ?? '';
        if (!state.refresh.has(rt) || state.used.has(rt) || state.revoked.has(rt)) {
          return HttpResponse.json(jsonFixture('xero', 'oauth-token-refresh.invalid-grant.400.json'), {
            status: 400,
          });
        }
        state.used.add(rt); // single-use
        state.refresh.delete(rt);
        return HttpResponse.json(issue());
      }
      return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
    }),
    http.post('https://identity.xero.com/connect/revocation', async ({ request }) => {
      const s = await readSeen(request);
      state.seen.push(s);
      state.revoked.add(s.form.token ?? '');
      return new HttpResponse(null, { status: 200 });
    }),
    http.get('https://api.xero.com/connections', async ({ request }) => {
      state.seen.push(await readSeen(request));
      const bearer = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      if (!state.access.has(bearer))
        return HttpResponse.json(jsonFixture('xero', 'auth-403-authentication-unsuccessful.json'), {
          status: 401,
        });
      return HttpResponse.json(state.orgs);
    }),
    http.delete('https://api.xero.com/connections/:id', async ({ request, params }) => {
      state.seen.push(await readSeen(request));
      const bearer = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      if (!state.access.has(bearer)) return new HttpResponse(null, { status: 401 });
      const before = state.orgs.length;
      state.orgs = state.orgs.filter((o) => o.id !== params.id);
      return new HttpResponse(null, { status: before === state.orgs.length ? 404 : 204 });
    }),
  ];
  const calls = (grantType?: string) =>
    state.seen.filter(
      (s) =>
        s.url === 'https://identity.xero.com/connect/token' &&
        (!grantType || s.form.grant_type === grantType),
    );
  return { state, handlers, consent, seed, calls };
}

export function fakeQbo(opts: { redirectUri: string }) {
  const template = jsonFixture<Record<string, unknown>>('qbo', 'oauth-token-refresh-response.json');
  const state = {
    seen: [] as Seen[],
    codes: new Set<string>(),
    refresh: new Set<string>(),
    revoked: new Set<string>(),
    issued: [] as { accessToken: string; refreshToken: string }[],
    /** QBO keeps the same refresh token for about a day: set to reuse it on the next refresh. */
    keepRefreshToken: false,
  };
  const issue = (keep?: string) => {
    const t = { accessToken: qboAccessToken(), refreshToken: keep ?? qboRefreshToken() };
    state.refresh.add(t.refreshToken);
    state.issued.push(t);
    return { ...template, access_token: t.accessToken, refresh_token: t.refreshToken };
  };
  const consent = (authorizeUrl: string, realmId = '9130349553457836') => {
    const u = new URL(authorizeUrl);
    const code = `AB11${rand(30)}`;
    state.codes.add(code);
    return { code, state: u.searchParams.get('state') ?? '', realmId };
  };
  const seed = () => {
    const t = { accessToken: qboAccessToken(), refreshToken: qboRefreshToken() };
    state.refresh.add(t.refreshToken);
    return t;
  };
  const handlers = [
    http.get(
      'https://developer.api.intuit.com/.well-known/openid_sandbox_configuration',
      async ({ request }) => {
        state.seen.push(await readSeen(request));
        return HttpResponse.json(jsonFixture('qbo', 'openid-sandbox-configuration.json'));
      },
    ),
    http.post('https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer', async ({ request }) => {
      const s = await readSeen(request);
      state.seen.push(s);
      if (s.authorization !== basic(CLIENT.qbo.id, CLIENT.qbo.secret))
        return HttpResponse.json({ error: 'invalid_client' }, { status: 401 });
      if (s.form.grant_type === 'authorization_code') {
        if (!state.codes.delete(s.form.code ?? '') || s.form.redirect_uri !== opts.redirectUri) {
          return HttpResponse.json({ error: 'invalid_grant' }, { status: 400 });
        }
        return HttpResponse.json(issue());
      }
      if (s.form.grant_type === 'refresh_token') {
        const rt = s.form.refresh_token ?? '';
        if (!state.refresh.has(rt) || state.revoked.has(rt))
          return HttpResponse.json(jsonFixture('qbo', 'oauth-invalid-grant.json'), { status: 400 });
        if (!state.keepRefreshToken) state.refresh.delete(rt);
        return HttpResponse.json(issue(state.keepRefreshToken ? rt : undefined));
      }
      return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
    }),
    http.post('https://developer.api.intuit.com/v2/oauth2/tokens/revoke', async ({ request }) => {
      const s = await readSeen(request);
      state.seen.push(s);
      state.revoked.add((s.json as { token?: string } | null)?.token ?? '');
      return new HttpResponse(null, { status: 200 });
    }),
  ];
  return { state, handlers, consent, seed };
}
