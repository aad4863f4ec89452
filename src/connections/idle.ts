import { and, eq, isNotNull, lt, or, sql } from 'drizzle-orm';
import { grants, oauthStates } from '../db/schema/index.js';
import type { ConnectionsDeps } from './deps.js';
import { GrantUnusable, grantAccessToken, type NeedsRefresh } from './refresh.js';

/** An active grant not refreshed for this long is refreshed, so its refresh token never ages out. */
export const IDLE_REFRESH_AFTER_MS = 7 * 86_400_000;
/** …or when its refresh token would expire within this window. */
export const REFRESH_EXPIRY_MARGIN_MS = 14 * 86_400_000;

export interface IdleRefreshReport {
  checked: number;
  refreshed: number;
  needsReauth: number;
  failed: number;
}

/**
 * The schedule function (the queue calls it on a timer, e.g. hourly): refresh every active grant that
 * has been idle for a week or whose refresh token nears its end. Each refresh takes the grant's lock
 * and re-checks after it, so it never races a worker; a dead grant moves to needs_reauth as usual.
 */
export async function refreshIdleGrants(
  deps: ConnectionsDeps,
  opts: { idleAfterMs?: number; marginMs?: number; limit?: number } = {},
): Promise<IdleRefreshReport> {
  const idleAfter = opts.idleAfterMs ?? IDLE_REFRESH_AFTER_MS;
  const margin = opts.marginMs ?? REFRESH_EXPIRY_MARGIN_MS;
  const now = deps.clock.now();
  const idleBefore = new Date(now.getTime() - idleAfter);
  const expiringBefore = new Date(now.getTime() + margin);
  const due = await deps.db
    .select({ id: grants.id })
    .from(grants)
    .where(
      and(
        eq(grants.status, 'active'),
        isNotNull(grants.tokenCiphertext),
        or(
          sql`coalesce(${grants.lastRefreshedAt}, ${grants.createdAt}) < ${idleBefore.toISOString()}::timestamptz`,
          lt(grants.refreshExpiresAt, expiringBefore),
        ),
      ),
    )
    .limit(opts.limit ?? 500);
  const needs: NeedsRefresh = (g, _t, at) => {
    const last = (g.lastRefreshedAt ?? g.createdAt).getTime();
    return (
      last < at.getTime() - idleAfter ||
      (g.refreshExpiresAt !== null && g.refreshExpiresAt.getTime() < at.getTime() + margin)
    );
  };
  const report: IdleRefreshReport = { checked: due.length, refreshed: 0, needsReauth: 0, failed: 0 };
  for (const g of due) {
    try {
      const r = await grantAccessToken(deps, g.id, needs);
      if (r.refreshed) report.refreshed++;
    } catch (e) {
      if (e instanceof GrantUnusable && e.grantStatus === 'needs_reauth') report.needsReauth++;
      else report.failed++;
    }
  }
  if (due.length) deps.logger.info({ ...report }, 'idle grants refreshed');
  return report;
}

/** Delete OAuth states that expired more than a day ago (used or not): they can never be accepted. */
export async function pruneOAuthStates(deps: Pick<ConnectionsDeps, 'db' | 'clock'>): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - 86_400_000);
  const gone = await deps.db
    .delete(oauthStates)
    .where(lt(oauthStates.expiresAt, before))
    .returning({ id: oauthStates.id });
  return gone.length;
}
