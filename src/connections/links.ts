import { z } from 'zod';
import type { Env } from '../config/env.js';
import { AppError } from '../lib/errors.js';
import type { OAuthProviderId } from './providers.js';
import { signToken, verifyToken } from './signing.js';

/** A connect link lives 15 minutes; the reconnect link on a needs_reauth exception 7 days. */
export const CONNECT_URL_TTL_MS = 15 * 60_000;
export const RECONNECT_URL_TTL_MS = 7 * 86_400_000;
/** The OAuth state (consent page → callback) lives 10 minutes. */
export const STATE_TTL_MS = 10 * 60_000;

export const ConnectClaims = z.object({
  firmId: z.uuid(),
  provider: z.enum(['xero', 'qbo']),
  actor: z.string().min(1).max(200),
  apiKeyId: z.uuid().nullable(),
});
export type ConnectClaims = z.infer<typeof ConnectClaims>;

type SigningConfig = Pick<Env, 'STATE_SIGNING_KEY' | 'TOKEN_ENCRYPTION_KEYS' | 'PUBLIC_BASE_URL'>;

const base = (config: Pick<Env, 'PUBLIC_BASE_URL'>) => config.PUBLIC_BASE_URL.replace(/\/+$/, '');

/** `${PUBLIC_BASE_URL}/connect/{provider}?t=…`: opening it in a browser starts the provider's consent. */
export function connectUrl(
  config: SigningConfig,
  now: Date,
  claims: ConnectClaims,
  ttlMs = CONNECT_URL_TTL_MS,
): { url: string; expiresAt: Date } {
  const expiresAt = new Date(now.getTime() + ttlMs);
  const t = signToken(config, 'connect', claims, expiresAt);
  return { url: `${base(config)}/connect/${claims.provider}?t=${t}`, expiresAt };
}

export function verifyConnectToken(
  config: SigningConfig,
  provider: OAuthProviderId,
  token: string | undefined,
  now: Date,
): ConnectClaims {
  const claims = verifyToken(config, 'connect', token, ConnectClaims, now);
  if (claims.provider !== provider) {
    throw new AppError('oauth_state_invalid', `the connect link is for ${claims.provider}, not ${provider}`);
  }
  return claims;
}
