import type { ConnCtx } from '../../../src/connectors/connector.js';
import { createXeroClient, type XeroClient } from '../../../src/connectors/xero/client.js';
import type { Timer } from '../../../src/connectors/xero/limits.js';
import { type XeroOrgDataset, xeroReplayHandlers } from '../../../src/connectors/xero/replay.js';
import type { Database } from '../../../src/db/client.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import { connections } from '../../../src/db/schema/index.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { XeroDeps } from '../../../src/providers/xero/index.js';
import { createTestDatabase } from '../../support/db.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';

export const TENANT = '8e7b8fc6-7a6f-4d31-9e1a-0cbb3f1e2d54';
export const list = (file: string, key: string): Record<string, unknown>[] =>
  (jsonFixture<Record<string, unknown[]>>('xero', file)[key] ?? []) as Record<string, unknown>[];

/** Virtual time for the limiter, on the test's clock: a sleep moves the clock forward. */
export function fakeTimer(clock: ReturnType<typeof fixedClock>): Timer & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => clock.now().getTime(),
    async sleep(ms) {
      sleeps.push(ms);
      const target = clock.now().getTime() + ms;
      await new Promise((r) => setImmediate(r));
      if (clock.now().getTime() < target) clock.set(new Date(target).toISOString());
    },
  };
}

export interface Harness {
  database: Database;
  deps: XeroDeps;
  client: XeroClient;
  connectionId: string;
  firmId: string;
  ctx: ConnCtx;
  clock: ReturnType<typeof fixedClock>;
  timer: ReturnType<typeof fakeTimer>;
  serve(dataset: XeroOrgDataset): void;
}

export async function harness(opts: { baseCurrency?: string; now?: string } = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const base = opts.baseCurrency ?? 'NZD';
  const clock = fixedClock(opts.now ?? '2026-12-03T09:00:00Z');
  const timer = fakeTimer(clock);
  const client = createXeroClient({ timer });
  const firm = await createFirm(database.db, {
    name: `Xero Firm ${Math.random()}`,
    baseCurrency: base,
    timezone: 'Pacific/Auckland',
  });
  const [conn] = await database.db
    .insert(connections)
    .values({ firmId: firm.id, provider: 'xero', tenantId: TENANT, displayName: 'Xero test org' })
    .returning();
  const deps: XeroDeps = {
    db: database.db,
    logger: silentLogger,
    clock,
    xero: client,
    accessToken: async () => 'test-access-token',
  };
  return {
    database,
    deps,
    client,
    clock,
    timer,
    connectionId: conn!.id,
    firmId: firm.id,
    ctx: {
      firmId: firm.id,
      connectionId: conn!.id,
      tenantId: TENANT,
      accessToken: async () => 'test-access-token',
      logger: silentLogger,
      firm: { timezone: 'Pacific/Auckland', baseCurrency: base },
    },
    serve(dataset) {
      server.use(...xeroReplayHandlers(dataset, { tenantId: TENANT, now: () => clock.now().getTime() }));
    },
  };
}
