import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

/**
 * A fresh, migrated database for one test file: PGlite in memory by default; with TEST_DATABASE_URL, a
 * new schema on that server (dropped again on close). Tests never read DATABASE_URL.
 */
export async function createTestDatabase(): Promise<Database> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = await openDatabase({});
    await migrate(database.db);
    return database;
  }
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema "${schema}"`);
  await admin.end();
  const database = await openDatabase({ databaseUrl: url, schema, maxConnections: 10 });
  await migrate(database.db);
  const close = database.close;
  return {
    ...database,
    close: async () => {
      await close();
      const a = postgres(url, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop schema if exists "${schema}" cascade`);
      await a.end();
    },
  };
}

export const usingPostgres = (): boolean => Boolean(process.env.TEST_DATABASE_URL);
