import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../lib/errors.js';
import { redactText, registerSecret } from '../../lib/redact.js';

/**
 * A generic OAuth 2.0 authorization-code client (RFC 6749) with PKCE (RFC 7636), on plain `fetch`.
 * Provider modules (xero/oauth.ts, qbo/oauth.ts) give it endpoints and quirks; nothing here knows a
 * provider. Every token received is registered with the redactor before anything can log it, and a
 * provider's error body is reduced to its `error` code and a redacted description: never kept whole.
 */
export interface OAuthClientConfig {
  provider: string;
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  redirectUri: string;
  scopes: readonly string[];
  /** Send a PKCE code_challenge (S256) and the verifier on exchange. */
  pkce: boolean;
  /** Request timeout (ms). */
  timeoutMs?: number;
}

/** A token set as received (times relative to the response, in seconds). */
export interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: string;
  scope: string[] | null;
  idToken: string | null;
  /** QBO: x_refresh_token_expires_in. */
  refreshExpiresIn: number | null;
  /** QBO: x_refresh_token_hard_expires_in. */
  refreshHardExpiresIn: number | null;
}

const TokenWire = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
  token_type: z.string().default('Bearer'),
  scope: z.string().optional(),
  id_token: z.string().optional(),
  x_refresh_token_expires_in: z.coerce.number().int().positive().optional(),
  x_refresh_token_hard_expires_in: z.coerce.number().int().positive().optional(),
});

const ErrorWire = z.object({
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/** RFC 6749 §5.2 codes we act on; anything else is kept as `other`. */
export type OAuthErrorCode =
  | 'invalid_grant'
  | 'invalid_client'
  | 'invalid_request'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'other';

const KNOWN: readonly OAuthErrorCode[] = [
  'invalid_grant',
  'invalid_client',
  'invalid_request',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'access_denied',
];

/** A refusal by the provider's token endpoint, classified by status and parsed body. */
export class OAuthError extends AppError {
  constructor(
    readonly provider: string,
    readonly oauthError: OAuthErrorCode,
    readonly httpStatus: number,
    description: string | null,
  ) {
    const transient = httpStatus >= 500 || httpStatus === 429;
    super(
      transient
        ? httpStatus === 429
          ? 'provider_rate_limited'
          : 'provider_unavailable'
        : 'provider_auth_expired',
      `${provider} token endpoint answered ${httpStatus} ${oauthError}${description ? `: ${description}` : ''}`,
      { details: { provider, oauthError, httpStatus } },
    );
    this.name = 'OAuthError';
  }

  /** The grant is dead (refresh token expired, reused or revoked): the person must connect again. */
  get needsReauth(): boolean {
    return this.oauthError === 'invalid_grant';
  }
}

export const isInvalidGrant = (e: unknown): boolean => e instanceof OAuthError && e.needsReauth;

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url'); // 64 chars, within 43..128
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function authorizeUrl(
  cfg: OAuthClientConfig,
  input: { state: string; codeChallenge?: string; extra?: Record<string, string> },
): string {
  const u = new URL(cfg.authorizeUrl);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', cfg.clientId);
  u.searchParams.set('redirect_uri', cfg.redirectUri);
  u.searchParams.set('scope', cfg.scopes.join(' '));
  u.searchParams.set('state', input.state);
  if (cfg.pkce) {
    if (!input.codeChallenge) throw new AppError('internal', `${cfg.provider}: PKCE needs a code challenge`);
    u.searchParams.set('code_challenge', input.codeChallenge);
    u.searchParams.set('code_challenge_method', 'S256');
  }
  for (const [k, v] of Object.entries(input.extra ?? {})) u.searchParams.set(k, v);
  return u.toString();
}

export const basicAuth = (cfg: Pick<OAuthClientConfig, 'clientId' | 'clientSecret'>): string =>
  `Basic ${Buffer.from(`${cfg.clientId}:${cfg.clientSecret}`).toString('base64')}`;

export async function exchangeCode(
  cfg: OAuthClientConfig,
  input: { code: string; codeVerifier?: string | null },
): Promise<TokenResponse> {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: cfg.redirectUri,
  });
  if (cfg.pkce) {
    if (!input.codeVerifier)
      throw new AppError('internal', `${cfg.provider}: PKCE exchange without a verifier`);
    body.set('code_verifier', input.codeVerifier);
  }
  return tokenRequest(cfg, body);
}

export async function refreshTokens(cfg: OAuthClientConfig, refreshToken: string): Promise<TokenResponse> {
  registerSecret(refreshToken);
  return tokenRequest(cfg, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }));
}

async function tokenRequest(cfg: OAuthClientConfig, body: URLSearchParams): Promise<TokenResponse> {
  registerSecret(cfg.clientSecret);
  const res = await send(cfg.provider, cfg.tokenUrl, {
    method: 'POST',
    headers: {
      authorization: basicAuth(cfg),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: body.toString(),
    timeoutMs: cfg.timeoutMs ?? 20_000,
  });
  const text = await res.text();
  const json = parseJson(text);
  if (!res.ok) throw toOAuthError(cfg.provider, res.status, json);
  const parsed = TokenWire.safeParse(json);
  if (!parsed.success) {
    // register whatever looks like a token before saying anything about the body
    if (json && typeof json === 'object') {
      for (const v of Object.values(json as Record<string, unknown>))
        if (typeof v === 'string') registerSecret(v);
    }
    throw new AppError(
      'provider_error',
      `${cfg.provider} token endpoint answered ${res.status} with an unexpected body`,
      {
        fields: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    );
  }
  const t = parsed.data;
  registerSecret(t.access_token);
  registerSecret(t.refresh_token);
  registerSecret(t.id_token);
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresIn: t.expires_in,
    tokenType: t.token_type,
    scope: t.scope ? t.scope.split(/\s+/).filter(Boolean) : null,
    idToken: t.id_token ?? null,
    refreshExpiresIn: t.x_refresh_token_expires_in ?? null,
    refreshHardExpiresIn: t.x_refresh_token_hard_expires_in ?? null,
  };
}

/** Turn a non-2xx token response into an OAuthError, keeping only the error code and a redacted description. */
export function toOAuthError(provider: string, status: number, json: unknown): OAuthError {
  const e = ErrorWire.safeParse(json);
  const raw = e.success ? (e.data.error ?? '') : '';
  const code: OAuthErrorCode = (KNOWN as readonly string[]).includes(raw) ? (raw as OAuthErrorCode) : 'other';
  const desc =
    e.success && e.data.error_description ? redactText(e.data.error_description).slice(0, 200) : null;
  return new OAuthError(provider, code, status, desc);
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** fetch with a timeout; network failures become retryable AppErrors that name the host, not the URL's query. */
export async function send(
  provider: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<Response> {
  const host = new URL(url).host;
  try {
    return await fetch(url, {
      method: init.method,
      headers: init.headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: AbortSignal.timeout(init.timeoutMs ?? 20_000),
    });
  } catch (cause) {
    const timeout = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    throw new AppError(
      timeout ? 'provider_timeout' : 'provider_unavailable',
      `${provider}: ${timeout ? 'timed out calling' : 'could not reach'} ${host}`,
    );
  }
}
