import type { Command } from 'commander';
import { openDatabase } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import { startHttpServer } from '../../http/server.js';
import { systemClock } from '../../lib/clock.js';
import { startBackground } from '../../worker/background.js';
import type { CliContext } from '../context.js';

/** Wait for SIGINT/SIGTERM, then run `stop` once. */
export function untilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      void stop().finally(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the HTTP server and a worker in one process (the only mode on the embedded database)')
    .option('--port <port>', 'port (default PORT)')
    .action(async (opts: { port?: string }) => {
      const { config, logger } = ctx;
      const database = await openDatabase({
        databaseUrl: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        purpose: 'serve',
      });
      await migrate(database.db);
      const deps = { config, database, db: database.db, logger, clock: systemClock, services: {} };
      const background = await startBackground(deps);
      let http: Awaited<ReturnType<typeof startHttpServer>>;
      try {
        http = await startHttpServer(deps, opts.port ? Number(opts.port) : config.PORT, config.HOST);
      } catch (e) {
        // no half-alive process: without its HTTP server, serve stops its worker and lets go of the data
        await background.stop();
        await database.close();
        throw e;
      }
      ctx.out(
        `ledgerbridge listening on http://${config.HOST}:${http.port} (${database.kind}); Ctrl-C stops it`,
      );
      await untilSignal(async () => {
        ctx.out('stopping…');
        await http.close();
        await background.stop();
        await database.close();
      });
    });
}
