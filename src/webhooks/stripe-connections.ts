import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Env } from '../config/env.js';
import type { ConnCtx } from '../connectors/connector.js';
import { audit } from '../db/repos/audit.js';
import { connections, firms } from '../db/schema/index.js';
import type { DbOrTx } from '../db/types.js';
import { decryptSecret, encryptSecret } from '../lib/crypto.js';
import { AppError, notFound } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { registerSecret } from '../lib/redact.js';

/**
 * Stripe connections: each firm's own account, added with a restricted API key and the signing secret
 * of the webhook endpoint it created in Stripe. Both are sealed together (AES-256-GCM, src/lib/crypto)
 * in connections.secret_ciphertext; only a hint of the key (`rk_live_…wxyz`) is kept in clear.
 */
export const StripeKeys = z.object({
  apiKey: z
    .string()
    .regex(
      /^(rk|sk)_(live|test)_[A-Za-z0-9]{8,}$/,
      'a Stripe API key such as rk_live_… (restricted key recommended)',
    ),
  webhookSecret: z.string().regex(/^whsec_[A-Za-z0-9+/=_-]{8,}$/, 'a webhook signing secret such as whsec_…'),
});
export type StripeKeys = z.infer<typeof StripeKeys>;

export interface StripeConnectionView {
  id: string;
  firmId: string;
  displayName: string;
  status: string;
  livemode: boolean;
  keyHint: string;
  webhookUrl: string;
}

const hint = (key: string): string => `${key.slice(0, key.indexOf('_', 3) + 1)}…${key.slice(-4)}`;

export function webhookUrlFor(config: Pick<Env, 'PUBLIC_BASE_URL'>, connectionId: string): string {
  return `${config.PUBLIC_BASE_URL.replace(/\/$/, '')}/webhooks/stripe/${connectionId}`;
}

export async function addStripeConnection(
  deps: { db: DbOrTx; config: Env },
  input: { firmId: string; apiKey: string; webhookSecret: string; displayName?: string; actor: string },
): Promise<StripeConnectionView> {
  const keys = StripeKeys.safeParse({ apiKey: input.apiKey, webhookSecret: input.webhookSecret });
  if (!keys.success) {
    throw new AppError('validation_failed', 'the Stripe keys are not in the expected form', {
      fields: keys.error.issues.map((i) => ({ path: String(i.path[0] ?? ''), message: i.message })),
    });
  }
  registerSecret(keys.data.apiKey);
  registerSecret(keys.data.webhookSecret);
  const [firm] = await deps.db.select({ id: firms.id }).from(firms).where(eq(firms.id, input.firmId));
  if (!firm) throw notFound(`firm ${input.firmId}`);
  const livemode = keys.data.apiKey.includes('_live_');
  const keyHint = hint(keys.data.apiKey);
  const sealed = encryptSecret(deps.config, JSON.stringify(keys.data));
  const [row] = await deps.db
    .insert(connections)
    .values({
      firmId: input.firmId,
      provider: 'stripe',
      displayName: input.displayName ?? `Stripe (${livemode ? 'live' : 'test'})`,
      status: 'active',
      glSource: 'none',
      secretCiphertext: sealed,
      settings: { keyHint, livemode },
    })
    .returning();
  await audit(deps.db, {
    firmId: input.firmId,
    actor: input.actor,
    action: 'connection.stripe.added',
    subjectKind: 'connection',
    subjectId: row!.id,
    details: { keyHint, livemode },
  });
  return {
    id: row!.id,
    firmId: row!.firmId,
    displayName: row!.displayName,
    status: row!.status,
    livemode,
    keyHint,
    webhookUrl: webhookUrlFor(deps.config, row!.id),
  };
}

export interface StripeConnection {
  id: string;
  firmId: string;
  status: string;
  keys: StripeKeys;
  firm: { timezone: string; baseCurrency: string };
}

/**
 * Decrypted connections for 30 s: the webhook path needs the signing secret on every delivery. A new
 * secret (or a disconnection) takes effect within that time; `forgetStripeConnection` makes it at once.
 */
const cache = new Map<string, { at: number; conn: StripeConnection }>();
const CACHE_MS = 30_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function forgetStripeConnection(connectionId: string): void {
  cache.delete(connectionId);
}

export async function loadStripeConnection(
  deps: { db: DbOrTx; config: Env },
  connectionId: string,
): Promise<StripeConnection | null> {
  if (!UUID.test(connectionId)) return null;
  const cached = cache.get(connectionId);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.conn;
  const [row] = await deps.db
    .select({
      id: connections.id,
      firmId: connections.firmId,
      status: connections.status,
      sealed: connections.secretCiphertext,
      timezone: firms.timezone,
      baseCurrency: firms.baseCurrency,
    })
    .from(connections)
    .innerJoin(firms, eq(firms.id, connections.firmId))
    .where(and(eq(connections.id, connectionId), eq(connections.provider, 'stripe')));
  if (!row?.sealed) return null;
  const keys = StripeKeys.parse(JSON.parse(decryptSecret(deps.config, row.sealed)));
  registerSecret(keys.apiKey);
  registerSecret(keys.webhookSecret);
  const conn: StripeConnection = {
    id: row.id,
    firmId: row.firmId,
    status: row.status,
    keys,
    firm: { timezone: row.timezone, baseCurrency: row.baseCurrency },
  };
  cache.set(connectionId, { at: Date.now(), conn });
  return conn;
}

/** The connector context of a Stripe connection: its restricted key stands in for an access token. */
export function stripeCtx(conn: StripeConnection, logger: Logger): ConnCtx {
  return {
    firmId: conn.firmId,
    connectionId: conn.id,
    tenantId: null,
    accessToken: async () => conn.keys.apiKey,
    logger,
    firm: conn.firm,
  };
}
