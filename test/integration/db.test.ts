import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { migrate, pendingMigrations, readMigrations, rowsOf } from '../../src/db/migrate.js';
import { createFirm, findFirm } from '../../src/db/repos/firms.js';
import { createTestDatabase } from '../support/db.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('migrations', () => {
  it('applies every migration once and reports none pending', async () => {
    expect(await pendingMigrations(database.db)).toEqual([]);
    const again = await migrate(database.db);
    expect(again.applied).toEqual([]);
    const tags = rowsOf<{ tag: string }>(
      await database.db.execute(sql`select tag from ledgerbridge_migrations order by tag`),
    );
    expect(tags.map((t) => t.tag)).toEqual(
      readMigrations()
        .map((m) => m.tag)
        .sort(),
    );
  });

  it('runs concurrent migrators without applying anything twice', async () => {
    const results = await Promise.all([migrate(database.db), migrate(database.db), migrate(database.db)]);
    expect(results.flatMap((r) => r.applied)).toEqual([]);
  });

  it('stores a firm and finds it by name, case-insensitively', async () => {
    const f = await createFirm(database.db, {
      name: 'Hale & Partners',
      baseCurrency: 'usd',
      timezone: 'America/New_York',
    });
    expect(f.baseCurrency).toBe('USD');
    expect((await findFirm(database.db, 'hale & partners'))?.id).toBe(f.id);
    await expect(
      createFirm(database.db, { name: 'HALE & PARTNERS', baseCurrency: 'USD', timezone: 'UTC' }),
    ).rejects.toThrow(/already exists/);
    await expect(
      createFirm(database.db, { name: 'X', baseCurrency: 'USD', timezone: 'Mars/Olympus' }),
    ).rejects.toThrow(/IANA/);
  });
});
