import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { acquireDataDirLock } from './lock.js';
import * as schema from './schema/index.js';
import type { Db } from './types.js';

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Is the database answering? */
  ping(): Promise<boolean>;
  close(): Promise<void>;
  /** For postgres: the URL and schema, so other processes (tests) can reach the same data. */
  url?: string;
  schema?: string;
}

export interface OpenOptions {
  /** Postgres server URL; absent: embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite data folder; absent (with no URL): in memory. */
  dataDir?: string | undefined;
  /** Postgres schema to use (search_path); tests give each file its own. */
  schema?: string | undefined;
  /** What this process is, for the PGlite lock message. */
  purpose?: string;
  maxConnections?: number;
  /** PGlite only: start from an empty database (the demo resets its own folder on each run). */
  reset?: boolean;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const client = postgres(opts.databaseUrl, {
      max: opts.maxConnections ?? 10,
      onnotice: () => {},
      ...(opts.schema ? { connection: { search_path: opts.schema } } : {}),
    });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      url: opts.databaseUrl,
      ...(opts.schema ? { schema: opts.schema } : {}),
      ping: async () => {
        try {
          await db.execute(sql`select 1`);
          return true;
        } catch {
          return false;
        }
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const release = opts.dataDir ? acquireDataDirLock(opts.dataDir, opts.purpose ?? 'cli') : () => {};
  try {
    // the folder holds the lock and the database files (pgdata/) side by side
    const pgdata = opts.dataDir ? join(opts.dataDir, 'pgdata') : undefined;
    if (pgdata && opts.reset) rmSync(pgdata, { recursive: true, force: true });
    const client = pgdata ? new PGlite(pgdata) : new PGlite();
    await client.waitReady;
    const db = drizzlePglite(client, { schema }) as unknown as Db;
    return {
      db,
      kind: 'pglite',
      ping: async () => {
        try {
          await client.query('select 1');
          return true;
        } catch {
          return false;
        }
      },
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
