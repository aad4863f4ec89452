import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { rowsOf } from '../../../src/db/migrate.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import { createTestDatabase, usingPostgres } from '../../support/db.js';
import { queueContract } from './contract.js';

let database: Database | undefined;
afterAll(async () => {
  await database?.close();
});

queueContract({
  name: usingPostgres() ? 'postgres (server)' : 'postgres (PGlite)',
  async make({ maxAttempts }) {
    database ??= await createTestDatabase();
    await database.db.execute(sql`delete from jobs`);
    return createPostgresQueue(database.db, { maxAttempts });
  },
  async deadLetters() {
    const rows = rowsOf<{ type: string; payload: Record<string, unknown> }>(
      await (database as Database).db.execute(
        sql`select type, payload from jobs where state = 'dead' order by created_at`,
      ),
    );
    return rows.map((r) => ({ type: r.type, payload: r.payload }));
  },
  // The file's afterAll closes the database (the transaction tests below use it too).
  async teardown() {},
});

describe('postgres queue inside a transaction', () => {
  it('enqueues with the transaction: a rolled-back transaction leaves no job, a committed one does', async () => {
    database ??= await createTestDatabase();
    const db = database.db;
    await db.execute(sql`delete from jobs`);
    await db
      .transaction(async (tx) => {
        await createPostgresQueue(tx).send({ type: 'outbox.push', payload: { n: 1 } });
        throw new Error('rollback');
      })
      .catch(() => {});
    await db.transaction(async (tx) => {
      await createPostgresQueue(tx).send({ type: 'outbox.push', payload: { n: 2 } });
    });
    const rows = rowsOf<{ payload: Record<string, unknown> }>(
      await db.execute(sql`select payload from jobs`),
    );
    expect(rows.map((r) => r.payload)).toEqual([{ n: 2 }]);
    await db.execute(sql`delete from jobs`);
  });
});
