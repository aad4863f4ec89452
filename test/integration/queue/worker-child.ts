/**
 * A worker process for the multi-process acceptance tests (spawned with `node --import tsx`). It drains
 * the Postgres queue in the schema it is given, with one handler whose effect is idempotent: a row per
 * job key in queue_test_effects (unique), plus a row per run in queue_test_runs.
 * argv[2]: JSON { url, schema, name, concurrency, visibilitySeconds }.
 */
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../../src/config/env.js';
import { openDatabase } from '../../../src/db/client.js';
import { systemClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import { JobHandlerRegistry } from '../../../src/worker/handlers.js';
import { startWorker } from '../../../src/worker/worker.js';
import { registerEffectHandler } from './effect-handler.js';

const cfg = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  schema: string;
  name: string;
  concurrency: number;
  visibilitySeconds: number;
};
const database = await openDatabase({
  databaseUrl: cfg.url,
  schema: cfg.schema,
  maxConnections: cfg.concurrency + 2,
});
const queue = createPostgresQueue(database.db);
const registry = new JobHandlerRegistry();
registerEffectHandler(registry, cfg.name);
const worker = startWorker({
  deps: { config: loadConfig({}), database, db: database.db, logger: silentLogger, clock: systemClock },
  queue,
  registry,
  concurrency: cfg.concurrency,
  visibilitySeconds: cfg.visibilitySeconds,
  idleMs: 50,
});
await database.db.execute(sql`select 1`);
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void worker
    .stop()
    .then(() => database.close())
    .then(() => process.exit(0));
});
