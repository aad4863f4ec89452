import { z } from 'zod';
import type { Env } from '../config/env.js';
import { secretBoxFor } from '../lib/crypto.js';
import { AppError } from '../lib/errors.js';
import { hmacSha256, safeEqual } from '../lib/hash.js';

/**
 * Signed, expiring tokens for the browser legs of a connect: the connect URL (`t=`), the OAuth `state`
 * and the Xero organisation choice. `base64url(json).base64url(hmac-sha256)` under STATE_SIGNING_KEY, or
 * a key derived from the current TOKEN_ENCRYPTION_KEYS key (so rotating that key also ends open links).
 * Each token names its purpose, so one kind can never be replayed as another.
 */
const Purpose = z.enum(['connect', 'state', 'choose']);
export type Purpose = z.infer<typeof Purpose>;

const Envelope = z.object({ p: Purpose, exp: z.number().int(), d: z.record(z.string(), z.unknown()) });

function signingKey(config: Pick<Env, 'STATE_SIGNING_KEY' | 'TOKEN_ENCRYPTION_KEYS'>): Buffer {
  if (config.STATE_SIGNING_KEY) return Buffer.from(config.STATE_SIGNING_KEY, 'utf8');
  return secretBoxFor(config).deriveKey('state-signing');
}

export function signToken(
  config: Pick<Env, 'STATE_SIGNING_KEY' | 'TOKEN_ENCRYPTION_KEYS'>,
  purpose: Purpose,
  data: Record<string, unknown>,
  expiresAt: Date,
): string {
  const body = Buffer.from(
    JSON.stringify({ p: purpose, exp: Math.floor(expiresAt.getTime() / 1000), d: data }),
  ).toString('base64url');
  return `${body}.${hmacSha256(signingKey(config), `${purpose}.${body}`, 'base64').replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')}`;
}

/**
 * Verify a token's signature, purpose and expiry, then its data schema. Every failure is the same
 * 400 `oauth_state_invalid` with a reason a person can act on (never the token itself).
 */
export function verifyToken<T>(
  config: Pick<Env, 'STATE_SIGNING_KEY' | 'TOKEN_ENCRYPTION_KEYS'>,
  purpose: Purpose,
  token: string | undefined,
  schema: z.ZodType<T>,
  now: Date,
): T {
  const what = purpose === 'connect' ? 'connect link' : purpose === 'state' ? 'OAuth state' : 'choice form';
  if (!token || token.length > 4096) throw new AppError('oauth_state_invalid', `the ${what} is missing`);
  const [body = '', sig = '', ...rest] = token.split('.');
  if (!body || !sig || rest.length) throw new AppError('oauth_state_invalid', `the ${what} is malformed`);
  const expected = hmacSha256(signingKey(config), `${purpose}.${body}`, 'base64')
    .replace(/=+$/, '')
    .replaceAll('+', '-')
    .replaceAll('/', '_');
  if (!safeEqual(sig, expected))
    throw new AppError('oauth_state_invalid', `the ${what} signature does not match`);
  let env: z.infer<typeof Envelope>;
  try {
    env = Envelope.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('oauth_state_invalid', `the ${what} is malformed`);
  }
  if (env.p !== purpose) throw new AppError('oauth_state_invalid', `the ${what} is for something else`);
  if (env.exp * 1000 <= now.getTime()) {
    throw new AppError('oauth_state_invalid', `the ${what} has expired: start the connection again`);
  }
  const d = schema.safeParse(env.d);
  if (!d.success) throw new AppError('oauth_state_invalid', `the ${what} is malformed`);
  return d.data;
}
