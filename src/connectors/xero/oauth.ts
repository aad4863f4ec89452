import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { basicAuth, type OAuthClientConfig, parseJson, send } from '../shared/oauth.js';

/**
 * Xero identity: OAuth 2.0 code flow with PKCE (we do it with plain fetch: xero-node's consent helper has
 * neither PKCE nor a per-request state), `/connections` (one grant → several organisations, each with
 * Xero's connection `id` and the org's `tenantId`), disconnect and revoke, and the classifier of 401/403
 * answers every Xero call uses. Access tokens last 30 minutes; refresh tokens are single-use (rotating).
 */
export const XERO_IDENTITY = {
  authorizeUrl: 'https://login.xero.com/identity/connect/authorize',
  tokenUrl: 'https://identity.xero.com/connect/token',
  revocationUrl: 'https://identity.xero.com/connect/revocation',
  connectionsUrl: 'https://api.xero.com/connections',
} as const;

/** Overrides of the identity endpoints (tests, other processes). */
export type XeroEndpoints = { [K in keyof typeof XERO_IDENTITY]?: string };

export const XERO_ACCESS_TOKEN_SECONDS = 30 * 60;
/** A Xero refresh token unused for 60 days expires. */
export const XERO_REFRESH_IDLE_DAYS = 60;

export interface XeroAppSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: readonly string[];
  /** Tests (other processes) point the identity endpoints elsewhere. */
  endpoints?: XeroEndpoints;
}

export function xeroOAuthConfig(s: XeroAppSettings): OAuthClientConfig {
  const scopes = s.scopes.includes('offline_access') ? [...s.scopes] : [...s.scopes, 'offline_access'];
  return {
    provider: 'xero',
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    authorizeUrl: s.endpoints?.authorizeUrl ?? XERO_IDENTITY.authorizeUrl,
    tokenUrl: s.endpoints?.tokenUrl ?? XERO_IDENTITY.tokenUrl,
    redirectUri: s.redirectUri,
    scopes,
    pkce: true,
  };
}

export const XeroConnectionWire = z.object({
  id: z.string().min(1),
  tenantId: z.string().min(1),
  tenantName: z.string().nullable().optional(),
  tenantType: z.string(),
  createdDateUtc: z.string().optional(),
  updatedDateUtc: z.string().optional(),
});
export type XeroConnection = z.infer<typeof XeroConnectionWire>;

/** GET /connections: the organisations this grant reaches (ORGANISATION tenants only). */
export async function listXeroConnections(
  accessToken: string,
  endpoints?: XeroEndpoints,
): Promise<XeroConnection[]> {
  const res = await send('xero', endpoints?.connectionsUrl ?? XERO_IDENTITY.connectionsUrl, {
    method: 'GET',
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
  });
  const json = parseJson(await res.text());
  if (!res.ok) throw xeroCallError('GET /connections', res.status, json);
  const parsed = z.array(XeroConnectionWire).safeParse(json);
  if (!parsed.success) throw new AppError('provider_error', 'xero: /connections answered an unexpected body');
  return parsed.data.filter((c) => c.tenantType === 'ORGANISATION');
}

/** DELETE /connections/{id}. A connection Xero no longer knows (404) counts as gone. */
export async function deleteXeroConnection(
  accessToken: string,
  xeroConnectionId: string,
  endpoints?: XeroEndpoints,
): Promise<'deleted' | 'already_gone'> {
  const base = endpoints?.connectionsUrl ?? XERO_IDENTITY.connectionsUrl;
  const res = await send('xero', `${base}/${encodeURIComponent(xeroConnectionId)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (res.status === 204 || res.ok) return 'deleted';
  if (res.status === 404) return 'already_gone';
  throw xeroCallError('DELETE /connections', res.status, parseJson(await res.text()));
}

/** POST /connect/revocation with the refresh token: ends the grant and every connection under it. */
export async function revokeXeroToken(
  cfg: OAuthClientConfig,
  refreshToken: string,
  revocationUrl?: string,
): Promise<void> {
  const res = await send('xero', revocationUrl ?? XERO_IDENTITY.revocationUrl, {
    method: 'POST',
    headers: { authorization: basicAuth(cfg), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken }).toString(),
  });
  // 400 invalid_grant: the token is already dead, which is what we wanted
  if (res.ok || res.status === 400) return;
  throw xeroCallError('POST /connect/revocation', res.status, null);
}

/**
 * What a 401/403 from a Xero API call means (by status and the parsed problem body):
 * - `token_expired`: 401 `TokenExpired: …` → refresh and retry once;
 * - `tier_refused`: 401 `AuthorizationUnsuccessful` → the app's tier or scopes may not call this endpoint
 *   (e.g. Journals without the advanced tier). NOT a dead grant: never move to needs_reauth;
 * - `tenant_disconnected`: 403 `AuthenticationUnsuccessful` → this org is no longer connected to the grant;
 * - `token_invalid`: any other 401 → refresh and retry once;
 * - `not_auth`: not an auth failure.
 */
export type XeroAuthFailure =
  | 'token_expired'
  | 'tier_refused'
  | 'tenant_disconnected'
  | 'token_invalid'
  | 'not_auth';

const XeroProblem = z.object({
  Detail: z.string().nullable().optional(),
  Title: z.string().nullable().optional(),
});

export function classifyXeroAuthFailure(status: number, body: unknown): XeroAuthFailure {
  if (status !== 401 && status !== 403) return 'not_auth';
  const parsed = XeroProblem.safeParse(typeof body === 'string' ? parseJson(body) : body);
  const detail = parsed.success ? (parsed.data.Detail ?? '') : '';
  const head = detail.split(':')[0]?.trim() ?? '';
  if (status === 401) {
    if (head === 'AuthorizationUnsuccessful') return 'tier_refused';
    if (head === 'TokenExpired') return 'token_expired';
    return 'token_invalid';
  }
  return head === 'AuthenticationUnsuccessful' ? 'tenant_disconnected' : 'not_auth';
}

function xeroCallError(what: string, status: number, json: unknown): AppError {
  const kind = classifyXeroAuthFailure(status, json);
  if (kind === 'tier_refused')
    return new AppError(
      'provider_forbidden',
      `xero: ${what} refused for this app (401 AuthorizationUnsuccessful)`,
    );
  if (kind !== 'not_auth')
    return new AppError('provider_auth_expired', `xero: ${what} answered ${status} (${kind})`, {
      details: { xeroAuth: kind },
    });
  if (status === 429) return new AppError('provider_rate_limited', `xero: ${what} rate limited`);
  return new AppError(
    status >= 500 ? 'provider_unavailable' : 'provider_error',
    `xero: ${what} answered ${status}`,
  );
}
