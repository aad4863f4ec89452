import { and, eq, isNull } from 'drizzle-orm';
import { AppError } from '../../lib/errors.js';
import { randomToken, sha256Hex } from '../../lib/hash.js';
import { apiKeys } from '../schema/index.js';
import type { DbOrTx } from '../types.js';
import { audit } from './audit.js';

export interface ApiKeyInfo {
  id: string;
  firmId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Create a key; the plaintext is returned once and never stored (only its SHA-256). */
export async function createApiKey(
  db: DbOrTx,
  input: {
    firmId: string;
    name: string;
    actor: string /** demo only: a fixed, published key */;
    fixedKey?: string;
  },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const name = input.name.trim();
  if (!name)
    throw new AppError('validation_failed', 'a key needs a name', {
      fields: [{ path: 'name', message: 'required' }],
    });
  const key = input.fixedKey ?? `lb_${randomToken(24)}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ firmId: input.firmId, name, prefix: key.slice(0, 10), keyHash: sha256Hex(key) })
    .returning();
  await audit(db, {
    firmId: input.firmId,
    actor: input.actor,
    action: 'api_key.created',
    subjectKind: 'api_key',
    subjectId: row!.id,
    details: { name },
  });
  return { key, info: toInfo(row!) };
}

export async function authenticateApiKey(db: DbOrTx, key: string): Promise<ApiKeyInfo | null> {
  if (!key.startsWith('lb_') || key.length > 200) return null;
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, sha256Hex(key)), isNull(apiKeys.revokedAt)));
  if (!row) return null;
  // when a key was last used, to the minute (one write a minute at most per key)
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.id));
    row.lastUsedAt = now;
  }
  return toInfo(row);
}

export async function listApiKeys(db: DbOrTx, firmId: string): Promise<ApiKeyInfo[]> {
  return (await db.select().from(apiKeys).where(eq(apiKeys.firmId, firmId)).orderBy(apiKeys.createdAt)).map(
    toInfo,
  );
}

export async function revokeApiKey(
  db: DbOrTx,
  input: { firmId: string; keyId: string; actor: string; actorKeyId?: string },
): Promise<ApiKeyInfo> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.keyId)) {
    throw new AppError('not_found', `no API key ${input.keyId} for this firm`);
  }
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, input.keyId), eq(apiKeys.firmId, input.firmId)))
    .returning();
  if (!row) throw new AppError('not_found', `no API key ${input.keyId} for this firm`);
  await audit(db, {
    firmId: input.firmId,
    actor: input.actor,
    action: 'api_key.revoked',
    subjectKind: 'api_key',
    subjectId: row.id,
    details: { name: row.name, ...(input.actorKeyId ? { byApiKeyId: input.actorKeyId } : {}) },
  });
  return toInfo(row);
}

function toInfo(r: typeof apiKeys.$inferSelect): ApiKeyInfo {
  return {
    id: r.id,
    firmId: r.firmId,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
  };
}
