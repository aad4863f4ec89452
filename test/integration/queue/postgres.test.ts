import { sql } from 'drizzle-orm';
import type { Database } from '../../../src/db/client.js';
import { rowsOf } from '../../../src/db/migrate.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import { createTestDatabase, usingPostgres } from '../../support/db.js';
import { queueContract } from './contract.js';

let database: Database | undefined;

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
  async teardown() {
    await database?.close();
  },
});
