import { z } from 'zod';
import { reconcileFirm } from '../reconcile/index.js';
import { registerJobHandler } from '../worker/handlers.js';
import { registerSchedule } from '../worker/schedules.js';
import { booksConnections, syncBooksConnection } from './index.js';
import { runXeroFullPass } from './xero/complete.js';

/**
 * Jobs of the sync area (loaded by src/worker/jobs.ts):
 * - `sync.connection` { connectionId, full? }: pull one connection, then reconcile its firm;
 * - `reconcile.firm` { firmId }: cash application;
 * - `sync.poll` (every 15 minutes): a `sync.connection` for every active books connection, since Xero
 *   sends no payment or bank-transaction events and webhooks can be missed;
 * - `xero.full_pass` (nightly): the ids Xero returns compared with ours; what vanished is tombstoned.
 */
const SyncJob = z.object({ connectionId: z.uuid(), full: z.boolean().optional() });
const ReconcileJob = z.object({ firmId: z.uuid() });

registerJobHandler(
  'sync.connection',
  async (payload, ctx) => {
    const out = await syncBooksConnection(ctx.deps, payload.connectionId, {
      ...(payload.full ? { full: true } : {}),
      trigger: 'job',
    });
    if (out.status === 'skipped') {
      ctx.logger.info({ connectionId: payload.connectionId, reason: out.reason }, 'sync skipped');
      return;
    }
    if (out.report.status === 'failed' && out.report.error?.code !== 'provider_auth_expired') {
      // the pages that landed are kept; a retry resumes from the stored cursors
      throw new Error(`sync failed: ${out.report.error?.code ?? 'internal'}`);
    }
    await ctx.queue.send({
      type: 'reconcile.firm',
      payload: { firmId: out.firmId },
      key: `reconcile:${out.firmId}:${out.report.runId}`,
      groupId: out.firmId,
    });
  },
  { schema: SyncJob, visibilitySeconds: 900 },
);

registerJobHandler(
  'reconcile.firm',
  async (payload, ctx) => {
    await reconcileFirm(ctx.deps.db, {
      firmId: payload.firmId,
      clock: ctx.deps.clock,
      windowDays: ctx.deps.config.MATCH_BOOKS_WINDOW_DAYS,
      actor: 'system',
    });
  },
  { schema: ReconcileJob, visibilitySeconds: 600 },
);

registerJobHandler('sync.poll', async (_payload, ctx) => {
  const slot = Math.floor(ctx.deps.clock.now().getTime() / 900_000);
  const list = await booksConnections(ctx.deps);
  if (list.length === 0) return;
  await ctx.queue.sendBatch(
    list.map((c) => ({
      type: 'sync.connection',
      payload: { connectionId: c.id },
      key: `sync:${c.id}:${slot}`,
      groupId: c.id,
    })),
  );
});

registerSchedule('sync.poll', 15 * 60, { type: 'sync.poll', payload: {} });

registerJobHandler(
  'xero.full_pass',
  async (_payload, ctx) => {
    for (const c of await booksConnections(ctx.deps, { provider: 'xero' })) {
      await runXeroFullPass(ctx.deps, c.id);
    }
  },
  { visibilitySeconds: 900 },
);

registerSchedule('xero.full_pass', 24 * 3600, { type: 'xero.full_pass', payload: {} });
