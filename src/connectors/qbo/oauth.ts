import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { basicAuth, type OAuthClientConfig, parseJson, send } from '../shared/oauth.js';

/**
 * Intuit identity for QuickBooks Online: endpoints from the discovery document (sandbox or production),
 * the code flow (the company's `realmId` arrives on the redirect, not from an API), revoke, and the
 * classifier of QBO 401 faults. Access tokens last 1 hour; the refresh token rotates (its value changes
 * about daily) and has a hard end (`x_refresh_token_hard_expires_in`): keep the latest one on every refresh.
 */
export const QBO_DISCOVERY = {
  sandbox: 'https://developer.api.intuit.com/.well-known/openid_sandbox_configuration',
  production: 'https://developer.api.intuit.com/.well-known/openid_configuration',
} as const;

export const QBO_ACCESS_TOKEN_SECONDS = 60 * 60;
/** Intuit refresh tokens expire after about 100 days unused. */
export const QBO_REFRESH_IDLE_DAYS = 100;

export const QboDiscoveryWire = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  revocation_endpoint: z.url(),
  userinfo_endpoint: z.url().optional(),
  jwks_uri: z.url().optional(),
});
export type QboDiscovery = z.infer<typeof QboDiscoveryWire>;

export interface QboAppSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: readonly string[];
  environment: 'sandbox' | 'production';
  /** Tests (other processes) skip discovery with fixed endpoints. */
  endpoints?: { authorizeUrl: string; tokenUrl: string; revocationUrl: string };
}

const cache = new Map<string, { at: number; doc: QboDiscovery }>();
const DISCOVERY_TTL_MS = 24 * 3600_000;

/** The discovery document, cached for a day per environment. */
export async function qboDiscovery(
  environment: 'sandbox' | 'production',
  now = Date.now(),
): Promise<QboDiscovery> {
  const url = QBO_DISCOVERY[environment];
  const hit = cache.get(url);
  if (hit && now - hit.at < DISCOVERY_TTL_MS) return hit.doc;
  const res = await send('qbo', url, { method: 'GET', headers: { accept: 'application/json' } });
  if (!res.ok) throw new AppError('provider_unavailable', `qbo: discovery document answered ${res.status}`);
  const parsed = QboDiscoveryWire.safeParse(parseJson(await res.text()));
  if (!parsed.success)
    throw new AppError('provider_error', 'qbo: the discovery document has an unexpected shape');
  cache.set(url, { at: now, doc: parsed.data });
  return parsed.data;
}

export function clearQboDiscoveryCache(): void {
  cache.clear();
}

export async function qboOAuthConfig(
  s: QboAppSettings,
): Promise<OAuthClientConfig & { revocationUrl: string }> {
  let ep = s.endpoints;
  if (!ep) {
    const d = await qboDiscovery(s.environment);
    ep = {
      authorizeUrl: d.authorization_endpoint,
      tokenUrl: d.token_endpoint,
      revocationUrl: d.revocation_endpoint,
    };
  }
  return {
    provider: 'qbo',
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    authorizeUrl: ep.authorizeUrl,
    tokenUrl: ep.tokenUrl,
    revocationUrl: ep.revocationUrl,
    redirectUri: s.redirectUri,
    scopes: [...s.scopes],
    pkce: false,
  };
}

/** Revoke a refresh (or access) token: the company is disconnected from the app. */
export async function revokeQboToken(
  cfg: OAuthClientConfig & { revocationUrl: string },
  token: string,
): Promise<void> {
  const res = await send('qbo', cfg.revocationUrl, {
    method: 'POST',
    headers: {
      authorization: basicAuth(cfg),
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify({ token }),
  });
  if (res.ok || res.status === 400) return; // 400: already invalid
  throw new AppError(
    res.status >= 500 ? 'provider_unavailable' : 'provider_error',
    `qbo: revoke answered ${res.status}`,
  );
}

/** The realmId on the redirect: digits only. */
export function parseRealmId(value: string | undefined | null): string | null {
  return value && /^[0-9]{1,32}$/.test(value) ? value : null;
}

/**
 * A 401 from a QBO API call: the fault's `type` AUTHENTICATION (code 3200, or 3100/3202…) means the access
 * token is expired or invalid → refresh and retry once. 403 (code 3100 ApplicationAuthorizationFailed)
 * is a refusal, not a dead grant.
 */
export type QboAuthFailure = 'token_invalid' | 'forbidden' | 'not_auth';

const QboFault = z.object({
  fault: z
    .object({
      type: z.string().optional(),
      error: z.array(z.object({ code: z.string().optional() })).optional(),
    })
    .optional(),
  Fault: z
    .object({
      type: z.string().optional(),
      Error: z.array(z.object({ code: z.string().optional() })).optional(),
    })
    .optional(),
});

export function classifyQboAuthFailure(status: number, body: unknown): QboAuthFailure {
  if (status === 403) return 'forbidden';
  if (status !== 401) return 'not_auth';
  const parsed = QboFault.safeParse(typeof body === 'string' ? parseJson(body) : body);
  const type = parsed.success ? (parsed.data.fault?.type ?? parsed.data.Fault?.type ?? '') : '';
  return type.toUpperCase() === 'AUTHORIZATION' ? 'forbidden' : 'token_invalid';
}
