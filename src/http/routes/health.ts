import { Hono } from 'hono';
import { pendingMigrations } from '../../db/migrate.js';
import type { AppDeps, AppEnv } from '../deps.js';

/** Liveness and readiness: ready when the database answers and every migration is applied. */
export function healthRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const database = await deps.database.ping();
    const pending = database ? await pendingMigrations(deps.db) : [];
    const ready = database && pending.length === 0;
    return c.json(
      {
        status: ready ? 'ready' : 'not_ready',
        database: database ? 'ok' : 'unreachable',
        pendingMigrations: pending,
      },
      ready ? 200 : 503,
    );
  });
  return app;
}
