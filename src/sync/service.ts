import { and, eq, inArray } from 'drizzle-orm';
import { ProviderId } from '../canonical/index.js';
import { accessTokenFor } from '../connections/index.js';
import type { EntityKind } from '../connectors/connector.js';
import { pullConnectorFor } from '../connectors/registry.js';
import { connections, firms } from '../db/schema/index.js';
import type { AppDeps } from '../http/deps.js';
import { AppError } from '../lib/errors.js';
import { runSync, type SyncReport } from './run.js';

export type SyncOutcome =
  | { status: 'ran'; report: SyncReport; firmId: string }
  | { status: 'skipped'; reason: string };

/**
 * Pull one connection of the books (Xero or QBO) through its connector. A connection that is not
 * active (needs reauth, revoked, disconnected) or is parked (a provider's daily limit) is skipped, not
 * called: the reason says why.
 */
export async function syncConnection(
  deps: AppDeps,
  connectionId: string,
  opts: { full?: boolean; kinds?: EntityKind[]; trigger?: string } = {},
): Promise<SyncOutcome> {
  const [row] = await deps.db
    .select({ c: connections, f: firms })
    .from(connections)
    .innerJoin(firms, eq(firms.id, connections.firmId))
    .where(eq(connections.id, connectionId));
  if (!row) throw new AppError('not_found', `no connection ${connectionId}`);
  const { c, f } = row;
  if (c.status !== 'active') return { status: 'skipped', reason: `the connection is ${c.status}` };
  if (c.parkedUntil && c.parkedUntil > deps.clock.now()) {
    return { status: 'skipped', reason: `parked until ${c.parkedUntil.toISOString()} (provider limit)` };
  }
  const provider = ProviderId.parse(c.provider);
  const connector = pullConnectorFor(provider, {
    clock: deps.clock,
    logger: deps.logger,
    qboEnvironment: deps.config.QBO_ENVIRONMENT,
  });
  if (!connector) return { status: 'skipped', reason: `${provider} connections are not pulled as books` };
  const report = await runSync(
    { db: deps.db, logger: deps.logger },
    connector,
    {
      firmId: c.firmId,
      connectionId: c.id,
      tenantId: c.tenantId,
      accessToken: accessTokenFor(deps, c.id),
      logger: deps.logger,
      firm: { timezone: f.timezone, baseCurrency: f.baseCurrency },
    },
    {
      ...(opts.kinds ? { kinds: opts.kinds } : {}),
      ...(opts.full ? { full: true } : {}),
      trigger: opts.trigger ?? 'manual',
    },
  );
  return { status: 'ran', report, firmId: c.firmId };
}

/** Active books connections (Xero, QBO), optionally of one firm. */
export async function booksConnections(deps: Pick<AppDeps, 'db'>, firmId?: string) {
  const conds = [eq(connections.status, 'active'), inArray(connections.provider, ['xero', 'qbo'])];
  if (firmId) conds.push(eq(connections.firmId, firmId));
  return deps.db
    .select({
      id: connections.id,
      firmId: connections.firmId,
      provider: connections.provider,
      displayName: connections.displayName,
    })
    .from(connections)
    .where(and(...conds));
}
