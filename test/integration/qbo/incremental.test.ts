import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQboConnector } from '../../../src/connectors/qbo/connector.js';
import { createQboReplay } from '../../../src/connectors/qbo/replay.js';
import type { Database } from '../../../src/db/client.js';
import { invoices, timeEntries } from '../../../src/db/schema/index.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { runSync } from '../../../src/sync/run.js';
import { createTestDatabase } from '../../support/db.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';
import { dataset, meta, seedConnection } from './helpers.js';

type Obj = Record<string, unknown>;
let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
const deps = () => ({ db: database.db, logger: silentLogger });

const inv = (id: number, at: string): Obj => ({
  Id: String(id),
  DocNumber: String(5000 + id),
  TxnDate: '2026-11-10',
  CustomerRef: { value: '20' },
  TotalAmt: 10,
  Balance: 10,
  Line: [],
  MetaData: meta(at),
});
const queriesOf = (replay: ReturnType<typeof createQboReplay>, from: string) =>
  replay.served
    .filter((s) => s.path === 'query' && s.search.get('query')?.toLowerCase().includes(from))
    .map((s) => s.search.get('query'));

describe('QBO incremental pulls', () => {
  it('falls back to LastUpdatedTime queries when CDC answers 1,000 objects, keeping its deletions', async () => {
    const ctx = await seedConnection(database.db, 'Busy LLP');
    const clock = fixedClock('2026-12-01T12:00:00Z');
    const replay = createQboReplay(
      dataset({ Invoice: [inv(1, '2026-11-01T00:00:00Z'), inv(2, '2026-11-01T00:00:00Z')] }),
      { now: clock.now },
    );
    server.use(...replay.handlers);
    const connector = createQboConnector({ environment: 'production', clock });
    await runSync(deps(), connector, ctx, { kinds: ['invoices'] });
    // 1,200 invoices change after the first pull, and invoice 2 is deleted
    clock.set('2026-12-01T13:00:00Z');
    replay.dataset.entities.Invoice = [
      inv(1, '2026-11-01T00:00:00Z'),
      ...Array.from({ length: 1200 }, (_, i) => inv(100 + i, '2026-12-01T12:30:00Z')),
    ];
    replay.dataset.deleted = [{ entity: 'Invoice', Id: '2', at: '2026-12-01T12:20:00Z' }];
    const r = await runSync(deps(), connector, ctx, { kinds: ['invoices'] });
    expect(r.status).toBe('succeeded');
    expect(replay.served.filter((s) => s.path === 'cdc')).toHaveLength(1);
    expect(queriesOf(replay, 'from invoice where')).toEqual([
      "select * from invoice where MetaData.LastUpdatedTime >= '2026-12-01T12:00:00.000Z' orderby Id startposition 1 maxresults 1000",
      "select * from invoice where MetaData.LastUpdatedTime >= '2026-12-01T12:00:00.000Z' orderby Id startposition 1001 maxresults 1000",
    ]);
    const rows = await database.db
      .select({ e: invoices.externalId, s: invoices.status })
      .from(invoices)
      .where(eq(invoices.firmId, ctx.firmId));
    expect(rows).toHaveLength(1202);
    expect(rows.find((x) => x.e === '2')).toEqual({ e: '2', s: 'deleted' });
    // the next increment is CDC again, from the server time of the CDC answer
    clock.set('2026-12-01T14:00:00Z');
    await runSync(deps(), connector, ctx, { kinds: ['invoices'] });
    const last = replay.served.at(-1)!;
    expect(last.path).toBe('cdc');
    expect(last.search.get('changedSince')).toBe('2026-12-01T13:00:00Z');
  });

  it('uses LastUpdatedTime queries when the cursor is older than CDC reaches (30 days)', async () => {
    const ctx = await seedConnection(database.db, 'Dormant LLP');
    const clock = fixedClock('2026-10-01T12:00:00Z');
    const replay = createQboReplay(dataset({ Invoice: [inv(1, '2026-09-20T00:00:00Z')] }), {
      now: clock.now,
    });
    server.use(...replay.handlers);
    const connector = createQboConnector({ environment: 'production', clock });
    await runSync(deps(), connector, ctx, { kinds: ['invoices'] });
    clock.set('2026-12-01T12:00:00Z');
    replay.dataset.entities.Invoice!.push(inv(9, '2026-11-15T00:00:00Z'));
    await runSync(deps(), connector, ctx, { kinds: ['invoices'] });
    expect(replay.served.filter((s) => s.path === 'cdc')).toEqual([]);
    expect(queriesOf(replay, 'from invoice where')).toEqual([
      "select * from invoice where MetaData.LastUpdatedTime >= '2026-10-01T12:00:00.000Z' orderby Id startposition 1 maxresults 1000",
    ]);
    const rows = await database.db
      .select({ e: invoices.externalId })
      .from(invoices)
      .where(eq(invoices.firmId, ctx.firmId))
      .orderBy(invoices.externalId);
    expect(rows).toEqual([{ e: '1' }, { e: '9' }]);
  });

  it('polls TimeActivity by LastUpdatedTime (it is not in CDC)', async () => {
    const ctx = await seedConnection(database.db, 'Timekeeping LLP');
    const clock = fixedClock('2026-12-01T12:00:00Z');
    const fixture = jsonFixture<{ QueryResponse: { TimeActivity: Obj[] } }>(
      'qbo',
      'timeactivity-query-response.json',
    );
    const replay = createQboReplay(dataset({ TimeActivity: fixture.QueryResponse.TimeActivity }), {
      now: clock.now,
    });
    server.use(...replay.handlers);
    const connector = createQboConnector({ environment: 'production', clock });
    const first = await runSync(deps(), connector, ctx, { kinds: ['time_entries'] });
    expect(first.kinds.time_entries?.errors).toBe(0);
    const [t5] = await database.db.select().from(timeEntries).where(eq(timeEntries.externalId, '5'));
    expect(t5).toMatchObject({
      date: '2014-09-17',
      durationMinutes: 180,
      hourlyRate: '15',
      rateCurrency: 'USD',
      billableStatus: 'billed',
      status: 'invoiced',
      userExternalId: '55',
      userName: 'Emily Platt',
      contactExternalId: '21',
      matterExternalId: '39298045',
      taskName: 'Lighting',
    });
    clock.set('2026-12-01T13:00:00Z');
    await runSync(deps(), connector, ctx, { kinds: ['time_entries'] });
    expect(replay.served.filter((s) => s.path === 'cdc')).toEqual([]);
    expect(queriesOf(replay, 'from timeactivity').at(-1)).toBe(
      "select * from timeActivity where MetaData.LastUpdatedTime >= '2026-12-01T12:00:00.000Z' orderby Id startposition 1 maxresults 1000",
    );
  });
});
