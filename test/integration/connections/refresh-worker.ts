/**
 * A separate worker process for the multi-process refresh test: opens the same Postgres schema, waits
 * for the parent's go file, asks for the grant's access token, prints {"token": …} and exits. Its Xero token
 * endpoint is the parent test's loopback server (msw does not reach into other processes).
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../../../src/config/env.js';
import { xeroProvider } from '../../../src/connections/providers.js';
import { grantAccessToken } from '../../../src/connections/refresh.js';
import { openDatabase } from '../../../src/db/client.js';
import { systemClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';

const [url, schema, grantId, tokenUrl, goFile] = process.argv.slice(2);
const config = loadConfig(process.env);
const database = await openDatabase({ databaseUrl: url, schema, maxConnections: 2 });
const xero = xeroProvider(config, { tokenUrl: tokenUrl! });
const deps = {
  config,
  db: database.db,
  logger: createLogger('silent'),
  clock: systemClock,
  providers: () => xero,
};
await database.ping();
process.stdout.write('ready\n');
// wait for the parent's "go" file (a barrier: all five start their request together)
while (!existsSync(goFile!)) await new Promise((r) => setTimeout(r, 5));
try {
  const r = await grantAccessToken(deps, grantId!);
  process.stdout.write(`${JSON.stringify({ token: r.token, refreshed: r.refreshed })}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
