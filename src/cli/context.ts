import type { Env } from '../config/env.js';
import { type Database, openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import type { Logger } from '../lib/logger.js';

/** What every command gets: the parsed config, a logger, and a way to open the database. */
export interface CliContext {
  config: Env;
  logger: Logger;
  /** Write a line for the person at the terminal. */
  out: (line: string) => void;
  /** Open (and migrate) the configured database for the length of `fn`. */
  withDb<T>(purpose: string, fn: (database: Database) => Promise<T>): Promise<T>;
}

export function createCliContext(config: Env, logger: Logger): CliContext {
  return {
    config,
    logger,
    out: (line) => process.stdout.write(`${line}\n`),
    async withDb(purpose, fn) {
      const database = await openDatabase({
        databaseUrl: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        purpose,
      });
      try {
        await migrate(database.db);
        return await fn(database);
      } finally {
        await database.close();
      }
    },
  };
}
