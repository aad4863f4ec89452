import { resolve } from 'node:path';
import { untilSignal } from '../cli/commands/serve.js';
import type { CliContext } from '../cli/context.js';
import { openDatabase } from '../db/client.js';
import { migrate } from '../db/migrate.js';
import { startHttpServer } from '../http/server.js';
import { fixedClock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import { PIPELINES } from './pipelines.js';
import { formatSummary, runDemo } from './run.js';

/** The demo's own data folder, reset on every run (never the configured DATA_DIR or DATABASE_URL). */
export const DEMO_DIR = './.ledgerbridge-demo';
/** The demo's "today": the recorded books end mid-November 2026. */
export const DEMO_TODAY = '2026-11-15T12:00:00Z';

export async function runDemoCommand(
  ctx: CliContext,
  opts: { once?: boolean; provider: string; port?: string },
): Promise<void> {
  const load = PIPELINES[opts.provider];
  if (!load) {
    throw new AppError(
      'validation_failed',
      `--provider must be one of ${Object.keys(PIPELINES).join(', ')}, not "${opts.provider}"`,
    );
  }
  const pipeline = await load();
  const database = await openDatabase({ dataDir: DEMO_DIR, purpose: 'demo', reset: true });
  try {
    await migrate(database.db);
    const clock = fixedClock(DEMO_TODAY);
    const summary = await runDemo({ db: database.db, logger: ctx.logger, clock }, pipeline);
    ctx.out(formatSummary(summary));
    if (opts.once) return;
    const port = opts.port ? Number(opts.port) : ctx.config.PORT;
    const http = await startHttpServer(
      { config: ctx.config, database, db: database.db, logger: ctx.logger, clock, services: {} },
      port,
      ctx.config.HOST,
    );
    ctx.out(
      [
        '',
        `Serving the API on http://localhost:${http.port} (data in ${resolve(DEMO_DIR)}); Ctrl-C stops it. Try:`,
        `  curl -H "Authorization: Bearer ${summary.apiKey}" localhost:${http.port}/api/v1/exceptions`,
      ].join('\n'),
    );
    await untilSignal(() => http.close());
  } finally {
    await database.close();
  }
}
