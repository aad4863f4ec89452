import { registerJobHandler } from '../worker/handlers.js';
import { registerSchedule } from '../worker/schedules.js';
import { pruneOAuthStates, refreshIdleGrants } from './idle.js';

/**
 * Jobs of the connections area (loaded by src/worker/jobs.ts):
 * - `grants.refresh-idle` (every 6 hours): refresh grants idle for a week, so no refresh token ages out
 *   (Xero: 60 days unused; QBO: about 100). Each refresh takes the grant's row lock, so it never races
 *   a sync that is refreshing the same grant; OAuth states older than a day are deleted.
 */
registerJobHandler('grants.refresh-idle', async (_payload, ctx) => {
  const report = await refreshIdleGrants(ctx.deps);
  const pruned = await pruneOAuthStates(ctx.deps);
  ctx.logger.info({ ...report, prunedStates: pruned }, 'idle grant refresh');
});

registerSchedule('grants.refresh-idle', 6 * 3600, { type: 'grants.refresh-idle', payload: {} });
