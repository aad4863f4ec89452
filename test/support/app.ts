import { loadConfig } from '../../src/config/env.js';
import type { Database } from '../../src/db/client.js';
import { createApp } from '../../src/http/app.js';
import type { AppDeps } from '../../src/http/deps.js';
import { fixedClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/logger.js';

/** The real hono app over a test database, for `app.request()`. */
export function testApp(database: Database, overrides: Partial<AppDeps> = {}) {
  const deps: AppDeps = {
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    database,
    db: database.db,
    logger: silentLogger,
    clock: fixedClock('2026-11-15T12:00:00Z'),
    services: {},
    ...overrides,
  };
  return { app: createApp(deps), deps };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
