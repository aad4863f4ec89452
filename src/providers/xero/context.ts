import { eq } from 'drizzle-orm';
import type { ConnectionsDeps } from '../../connections/deps.js';
import { accessTokenFor } from '../../connections/refresh.js';
import type { ConnCtx } from '../../connectors/connector.js';
import type { XeroClient } from '../../connectors/xero/client.js';
import { sharedXeroClient } from '../../connectors/xero/connector.js';
import { connections, firms } from '../../db/schema/index.js';
import type { Db } from '../../db/types.js';
import { type Clock, systemClock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

/**
 * The Xero use cases that need the database (parking, GL source, outbox, tombstones, targeted pulls).
 * They sit next to the connector because they are Xero-specific; the connector files themselves stay
 * free of storage.
 */
export interface XeroDeps {
  db: Db;
  logger: Logger;
  clock?: Clock;
  /** Default: the process-wide client (shared limits). */
  xero?: XeroClient;
  /**
   * A valid access token for a connection (the OAuth area refreshes; we never do). Default, when the
   * deps are the app's (with `config`): the connections area's `accessTokenFor`.
   */
  accessToken?: (connectionId: string) => Promise<string>;
  config?: ConnectionsDeps['config'];
  services?: Record<string, unknown>;
}

function tokenSource(deps: XeroDeps, connectionId: string): () => Promise<string> {
  if (deps.accessToken) {
    const f = deps.accessToken;
    return () => f(connectionId);
  }
  if (deps.config)
    return accessTokenFor(
      { ...deps, config: deps.config, clock: deps.clock ?? systemClock } as ConnectionsDeps,
      connectionId,
    );
  throw new AppError('not_configured', 'no access-token source for Xero connections');
}

export type ConnectionRow = typeof connections.$inferSelect;

export async function loadXeroContext(
  deps: XeroDeps,
  connectionId: string,
): Promise<{ ctx: ConnCtx; connection: ConnectionRow; client: XeroClient; clock: Clock }> {
  const [row] = await deps.db
    .select({ c: connections, f: firms })
    .from(connections)
    .innerJoin(firms, eq(firms.id, connections.firmId))
    .where(eq(connections.id, connectionId));
  if (!row) throw new AppError('not_found', `connection ${connectionId} not found`);
  if (row.c.provider !== 'xero')
    throw new AppError('bad_request', `connection ${connectionId} is not a Xero connection`);
  if (!row.c.tenantId)
    throw new AppError('not_configured', `connection ${connectionId} has no Xero tenant id`);
  const ctx: ConnCtx = {
    firmId: row.c.firmId,
    connectionId,
    tenantId: row.c.tenantId,
    accessToken: tokenSource(deps, connectionId),
    logger: deps.logger,
    firm: { timezone: row.f.timezone, baseCurrency: row.f.baseCurrency },
  };
  return {
    ctx,
    connection: row.c,
    client: deps.xero ?? sharedXeroClient(),
    clock: deps.clock ?? systemClock,
  };
}

export const auth = async (ctx: ConnCtx) => ({
  tenantId: ctx.tenantId ?? '',
  accessToken: await ctx.accessToken(),
});
