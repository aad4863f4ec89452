import { eq } from 'drizzle-orm';
import type { Connector, EntityKind } from '../../connectors/connector.js';
import { createXeroConnector, XERO_ALL_KINDS } from '../../connectors/xero/connector.js';
import { DailyLimitError } from '../../connectors/xero/limits.js';
import { connections } from '../../db/schema/index.js';
import { runSync, type SyncReport } from '../../sync/run.js';
import { loadXeroContext, type XeroDeps } from './context.js';
import { deriveAndCheckGl, type GlCheckResult } from './gl.js';

export type XeroSyncOutcome =
  | { status: 'parked'; until: Date; report: SyncReport | null }
  | { status: 'done'; report: SyncReport; gl: GlCheckResult | null };

/**
 * One sync of a Xero connection: skipped while parked; documents, manual journals, Journals (or,
 * when the tier refuses them, the GL derived from documents and checked against the TrialBalance),
 * projects and time entries. Hitting Xero's daily limit parks the connection in the database until
 * Xero's Retry-After has passed — no retry loop; the next scheduled sync after that resumes.
 */
export async function syncXeroConnection(
  deps: XeroDeps,
  connectionId: string,
  opts: { kinds?: readonly EntityKind[]; trigger?: string; periodEnds?: readonly string[] } = {},
): Promise<XeroSyncOutcome> {
  const { ctx, connection, client, clock } = await loadXeroContext(deps, connectionId);
  if (connection.parkedUntil && connection.parkedUntil.getTime() > clock.now().getTime())
    return { status: 'parked', until: connection.parkedUntil, report: null };

  let parkedUntil: Date | null = null;
  const inner = createXeroConnector({
    client,
    logger: deps.logger,
    kinds: opts.kinds ?? XERO_ALL_KINDS,
    onJournalsRefused: async () => {
      await deps.db
        .update(connections)
        .set({ glSource: 'derived', updatedAt: clock.now() })
        .where(eq(connections.id, connectionId));
    },
  });
  const connector: Connector = {
    ...inner,
    pull: async (c, kind, cursor) => {
      try {
        return await inner.pull(c, kind, cursor);
      } catch (e) {
        if (e instanceof DailyLimitError) parkedUntil = e.until;
        throw e;
      }
    },
  };
  const report = await runSync({ db: deps.db, logger: deps.logger }, connector, ctx, {
    kinds: connector.kinds,
    trigger: opts.trigger ?? 'schedule',
  });
  if (parkedUntil) {
    await park(deps, connectionId, parkedUntil);
    return { status: 'parked', until: parkedUntil, report };
  }
  const [after] = await deps.db.select().from(connections).where(eq(connections.id, connectionId));
  let gl: GlCheckResult | null = null;
  if (after?.glSource === 'derived') {
    try {
      gl = await deriveAndCheckGl(deps, connectionId, opts.periodEnds ? { periodEnds: opts.periodEnds } : {});
    } catch (e) {
      if (!(e instanceof DailyLimitError)) throw e;
      await park(deps, connectionId, e.until);
      return { status: 'parked', until: e.until, report };
    }
  }
  return { status: 'done', report, gl };
}

export async function park(deps: XeroDeps, connectionId: string, until: Date): Promise<void> {
  deps.logger.warn({ connectionId, until: until.toISOString() }, "Xero's daily limit: sync parked");
  await deps.db
    .update(connections)
    .set({ parkedUntil: until, updatedAt: deps.clock?.now() ?? new Date() })
    .where(eq(connections.id, connectionId));
}
