import { z } from 'zod';
import type { TokenResponse } from '../connectors/shared/oauth.js';
import type { grants } from '../db/schema/index.js';
import type { SecretBox } from '../lib/crypto.js';

/** The token set of a grant, sealed whole into grants.token_ciphertext (aad `grant:<id>`). */
export const StoredTokens = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  idToken: z.string().nullable(),
  tokenType: z.string(),
});
export type StoredTokens = z.infer<typeof StoredTokens>;

export type GrantRow = typeof grants.$inferSelect;

export const grantAad = (grantId: string): string => `grant:${grantId}`;

export function sealTokens(box: SecretBox, grantId: string, t: StoredTokens): string {
  return box.seal(JSON.stringify(t), grantAad(grantId));
}

export function openTokens(box: SecretBox, grantId: string, sealed: string): StoredTokens {
  return StoredTokens.parse(JSON.parse(box.open(sealed, grantAad(grantId))));
}

export const toStored = (r: TokenResponse, previous?: StoredTokens): StoredTokens => ({
  accessToken: r.accessToken,
  refreshToken: r.refreshToken,
  idToken: r.idToken ?? previous?.idToken ?? null,
  tokenType: r.tokenType,
});

const DAY = 86_400_000;

/** The grant columns a token response sets (expiries computed from `now`). */
export function tokenColumns(
  r: TokenResponse,
  now: Date,
  refreshIdleDays: number,
): Pick<GrantRow, 'accessExpiresAt' | 'refreshExpiresAt' | 'lastRefreshedAt'> & {
  refreshHardExpiresAt?: Date;
  scopes?: string[];
} {
  const t = now.getTime();
  return {
    accessExpiresAt: new Date(t + r.expiresIn * 1000),
    refreshExpiresAt: new Date(t + (r.refreshExpiresIn ? r.refreshExpiresIn * 1000 : refreshIdleDays * DAY)),
    lastRefreshedAt: now,
    ...(r.refreshHardExpiresIn ? { refreshHardExpiresAt: new Date(t + r.refreshHardExpiresIn * 1000) } : {}),
    ...(r.scope ? { scopes: r.scope } : {}),
  };
}
