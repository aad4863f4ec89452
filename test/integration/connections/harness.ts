import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { type Env, loadConfig } from '../../../src/config/env.js';
import type { ConnectionsDeps } from '../../../src/connections/deps.js';
import { sealTokens } from '../../../src/connections/tokens.js';
import type { Database } from '../../../src/db/client.js';
import { createApiKey } from '../../../src/db/repos/api-keys.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import { grants } from '../../../src/db/schema/index.js';
import { createApp } from '../../../src/http/app.js';
import type { AppDeps } from '../../../src/http/deps.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { generateKeyEntry, secretBoxFor } from '../../../src/lib/crypto.js';
import { createLogger } from '../../../src/lib/logger.js';
import { createTestDatabase } from '../../support/db.js';
import { CLIENT } from './identity.js';

export const BASE = 'https://lb.example.test';

export function testConfig(over: Record<string, string> = {}): Env {
  return loadConfig({
    NODE_ENV: 'test',
    PUBLIC_BASE_URL: BASE,
    TOKEN_ENCRYPTION_KEYS: generateKeyEntry('k1'),
    XERO_CLIENT_ID: CLIENT.xero.id,
    XERO_CLIENT_SECRET: CLIENT.xero.secret,
    QBO_CLIENT_ID: CLIENT.qbo.id,
    QBO_CLIENT_SECRET: CLIENT.qbo.secret,
    QBO_ENVIRONMENT: 'sandbox',
    ...over,
  });
}

/** Every log line the code under test writes, as text. */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger('debug', stream as unknown as Parameters<typeof createLogger>[1]) };
}

export interface Harness {
  database: Database;
  deps: AppDeps & ConnectionsDeps;
  clock: ReturnType<typeof fixedClock>;
  logs: string[];
  app: ReturnType<typeof createApp>;
  firm: { id: string; name: string };
  key: string;
  keyId: string;
  other: { firmId: string; key: string };
  close(): Promise<void>;
}

let n = 0;
export async function harness(config: Env = testConfig()): Promise<Harness> {
  const database = await createTestDatabase();
  const clock = fixedClock(new Date().toISOString());
  const { lines, logger } = captureLogs();
  const deps: AppDeps & ConnectionsDeps = { config, database, db: database.db, logger, clock };
  n++;
  const firm = await createFirm(database.db, {
    name: `Hale & Partners ${n}`,
    baseCurrency: 'USD',
    timezone: 'America/New_York',
  });
  const { key, info } = await createApiKey(database.db, {
    firmId: firm.id,
    name: 'ops-laptop',
    actor: 'test',
  });
  const otherFirm = await createFirm(database.db, {
    name: `Other Firm ${n}`,
    baseCurrency: 'GBP',
    timezone: 'Europe/London',
  });
  const other = await createApiKey(database.db, {
    firmId: otherFirm.id,
    name: 'other-firm-key',
    actor: 'test',
  });
  return {
    database,
    deps,
    clock,
    logs: lines,
    app: createApp(deps),
    firm,
    key,
    keyId: info.id,
    other: { firmId: otherFirm.id, key: other.key },
    close: () => database.close(),
  };
}

export const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** A grant + connection as a completed consent would leave them (for refresh tests). */
export async function seedGrant(
  h: Pick<Harness, 'deps' | 'firm'>,
  input: {
    provider: 'xero' | 'qbo';
    tokens: { accessToken: string; refreshToken: string };
    accessExpiresAt: Date;
    tenantIds?: string[];
    lastRefreshedAt?: Date;
  },
): Promise<{ grantId: string; connectionIds: string[] }> {
  const { randomUUID } = await import('node:crypto');
  const { connections } = await import('../../../src/db/schema/index.js');
  const grantId = randomUUID();
  const box = secretBoxFor(h.deps.config);
  await h.deps.db.insert(grants).values({
    id: grantId,
    firmId: h.firm.id,
    provider: input.provider,
    tokenCiphertext: sealTokens(box, grantId, { ...input.tokens, idToken: null, tokenType: 'Bearer' }),
    scopes: ['accounting.invoices', 'offline_access'],
    accessExpiresAt: input.accessExpiresAt,
    lastRefreshedAt: input.lastRefreshedAt ?? h.deps.clock.now(),
  });
  const connectionIds: string[] = [];
  for (const t of input.tenantIds ?? ['fe79f7dd-b6d4-4a92-ba7b-538af6289c58']) {
    const [c] = await h.deps.db
      .insert(connections)
      .values({
        firmId: h.firm.id,
        provider: input.provider,
        grantId,
        tenantId: t,
        providerConnectionId: input.provider === 'xero' ? `conn-${t}` : null,
        displayName: `Org ${t.slice(0, 4)}`,
      })
      .returning();
    connectionIds.push(c!.id);
  }
  return { grantId, connectionIds };
}

export async function grantRow(h: Pick<Harness, 'deps'>, id: string) {
  const [g] = await h.deps.db.select().from(grants).where(eq(grants.id, id));
  return g!;
}
