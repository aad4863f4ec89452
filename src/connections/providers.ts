import type { Env } from '../config/env.js';
import {
  classifyQboAuthFailure,
  QBO_ACCESS_TOKEN_SECONDS,
  QBO_REFRESH_IDLE_DAYS,
  qboOAuthConfig,
  revokeQboToken,
} from '../connectors/qbo/oauth.js';
import {
  authorizeUrl,
  exchangeCode,
  type OAuthClientConfig,
  refreshTokens,
  type TokenResponse,
} from '../connectors/shared/oauth.js';
import {
  classifyXeroAuthFailure,
  deleteXeroConnection,
  listXeroConnections,
  revokeXeroToken,
  XERO_ACCESS_TOKEN_SECONDS,
  XERO_REFRESH_IDLE_DAYS,
  type XeroConnection,
  type XeroEndpoints,
  xeroOAuthConfig,
} from '../connectors/xero/oauth.js';
import { AppError } from '../lib/errors.js';
import { registerSecret } from '../lib/redact.js';

export const OAUTH_PROVIDERS = ['xero', 'qbo'] as const;
export type OAuthProviderId = (typeof OAUTH_PROVIDERS)[number];
export const isOAuthProvider = (p: string): p is OAuthProviderId =>
  (OAUTH_PROVIDERS as readonly string[]).includes(p);

/** What an auth failure on an API call means for the connection. */
export type AuthFailureKind = 'retry_with_new_token' | 'refused_not_reauth' | 'connection_lost' | 'not_auth';

/**
 * One provider's identity operations, as the connections area uses them. Built from config; tests and
 * other processes may pass their own (e.g. a token endpoint on loopback).
 */
export interface ProviderOAuth {
  readonly id: OAuthProviderId;
  readonly pkce: boolean;
  /** Default access-token lifetime when a response lacks expires_in. */
  readonly accessTokenSeconds: number;
  /** A refresh token unused this long dies (Xero 60 days, QBO about 100). */
  readonly refreshIdleDays: number;
  authorizeUrl(input: { state: string; codeChallenge?: string }): Promise<string>;
  exchange(code: string, codeVerifier: string | null): Promise<TokenResponse>;
  refresh(refreshToken: string): Promise<TokenResponse>;
  /** Revoke the grant at the provider (refresh token). */
  revoke(refreshToken: string): Promise<void>;
  /** Xero: the organisations a grant reaches. */
  listOrgs?(accessToken: string): Promise<XeroConnection[]>;
  /** Xero: DELETE /connections/{id}. */
  disconnectOrg?(accessToken: string, providerConnectionId: string): Promise<'deleted' | 'already_gone'>;
  classifyAuthFailure(status: number, body: unknown): AuthFailureKind;
}

export type ProviderResolver = (id: OAuthProviderId) => ProviderOAuth;

export const redirectUri = (config: Pick<Env, 'PUBLIC_BASE_URL'>, provider: OAuthProviderId): string =>
  `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/connect/${provider}/callback`;

function requireSetting(value: string | undefined, name: string): string {
  if (!value) throw new AppError('not_configured', `${name} is not set (see .env.example)`);
  return value;
}

export function xeroProvider(config: Env, endpoints?: XeroEndpoints): ProviderOAuth {
  const clientSecret = requireSetting(config.XERO_CLIENT_SECRET, 'XERO_CLIENT_SECRET');
  registerSecret(clientSecret);
  const cfg: OAuthClientConfig = xeroOAuthConfig({
    clientId: requireSetting(config.XERO_CLIENT_ID, 'XERO_CLIENT_ID'),
    clientSecret,
    redirectUri: redirectUri(config, 'xero'),
    scopes: config.XERO_SCOPES,
    ...(endpoints ? { endpoints } : {}),
  });
  return {
    id: 'xero',
    pkce: true,
    accessTokenSeconds: XERO_ACCESS_TOKEN_SECONDS,
    refreshIdleDays: XERO_REFRESH_IDLE_DAYS,
    authorizeUrl: async (input) => authorizeUrl(cfg, input),
    exchange: (code, verifier) => exchangeCode(cfg, { code, codeVerifier: verifier }),
    refresh: (rt) => refreshTokens(cfg, rt),
    revoke: (rt) => revokeXeroToken(cfg, rt, endpoints?.revocationUrl),
    listOrgs: (at) => listXeroConnections(at, endpoints),
    disconnectOrg: (at, id) => deleteXeroConnection(at, id, endpoints),
    classifyAuthFailure: (status, body) => {
      const k = classifyXeroAuthFailure(status, body);
      switch (k) {
        case 'token_expired':
        case 'token_invalid':
          return 'retry_with_new_token';
        case 'tier_refused':
          return 'refused_not_reauth';
        case 'tenant_disconnected':
          return 'connection_lost';
        case 'not_auth':
          return 'not_auth';
        default: {
          const never: never = k;
          return never;
        }
      }
    },
  };
}

export function qboProvider(
  config: Env,
  endpoints?: { authorizeUrl: string; tokenUrl: string; revocationUrl: string },
): ProviderOAuth {
  const clientSecret = requireSetting(config.QBO_CLIENT_SECRET, 'QBO_CLIENT_SECRET');
  registerSecret(clientSecret);
  const settings = {
    clientId: requireSetting(config.QBO_CLIENT_ID, 'QBO_CLIENT_ID'),
    clientSecret,
    redirectUri: redirectUri(config, 'qbo'),
    scopes: config.QBO_SCOPES,
    environment: config.QBO_ENVIRONMENT,
    ...(endpoints ? { endpoints } : {}),
  };
  const cfg = () => qboOAuthConfig(settings);
  return {
    id: 'qbo',
    pkce: false,
    accessTokenSeconds: QBO_ACCESS_TOKEN_SECONDS,
    refreshIdleDays: QBO_REFRESH_IDLE_DAYS,
    authorizeUrl: async (input) => authorizeUrl(await cfg(), { state: input.state }),
    exchange: async (code) => exchangeCode(await cfg(), { code }),
    refresh: async (rt) => refreshTokens(await cfg(), rt),
    revoke: async (rt) => revokeQboToken(await cfg(), rt),
    classifyAuthFailure: (status, body) => {
      const k = classifyQboAuthFailure(status, body);
      switch (k) {
        case 'token_invalid':
          return 'retry_with_new_token';
        case 'forbidden':
          return 'refused_not_reauth';
        case 'not_auth':
          return 'not_auth';
        default: {
          const never: never = k;
          return never;
        }
      }
    },
  };
}

/** Providers from config, built on first use (an unconfigured provider fails only when used). */
export function providersFromConfig(config: Env): ProviderResolver {
  const built = new Map<OAuthProviderId, ProviderOAuth>();
  return (id) => {
    let p = built.get(id);
    if (!p) {
      switch (id) {
        case 'xero':
          p = xeroProvider(config);
          break;
        case 'qbo':
          p = qboProvider(config);
          break;
        default: {
          const never: never = id;
          throw new AppError('bad_request', `unknown provider ${String(never)}`);
        }
      }
      built.set(id, p);
    }
    return p;
  };
}
