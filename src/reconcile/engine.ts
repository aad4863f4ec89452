import { sql } from 'drizzle-orm';
import { audit } from '../db/repos/audit.js';
import type { DbOrTx } from '../db/types.js';
import type { Clock } from '../lib/clock.js';
import { MATCH_BOOKS_WINDOW_DAYS } from './books.js';
import { loadSnapshot } from './load.js';
import type { ReconcileStats } from './model.js';
import { planRun } from './plan.js';
import { reconcileDeposits } from './stripe/payouts.js';
import { writeDecisions } from './write.js';

export interface ReconcileOptions {
  firmId: string;
  clock: Clock;
  /** Days between a bank line and a booked payment that still count as the same money (config MATCH_BOOKS_WINDOW_DAYS). */
  windowDays?: number;
  /** Who ran it, for the audit log (default `system`). */
  actor?: string;
}

/**
 * Apply a firm's cash: every money-in bank line not yet decided, every unapplied received credit, every
 * RECEIVE bank transaction. One transaction per run, serialised per firm by an advisory lock, so a crash
 * writes nothing and two runs never decide the same subject twice.
 */
export async function reconcileFirm(db: DbOrTx, opts: ReconcileOptions): Promise<ReconcileStats> {
  const windowDays = opts.windowDays ?? MATCH_BOOKS_WINDOW_DAYS;
  if (!Number.isInteger(windowDays) || windowDays < 0 || windowDays > 31)
    throw new RangeError(`windowDays must be a whole number of days from 0 to 31, not ${windowDays}`);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`ledgerbridge:reconcile:${opts.firmId}`}))`);
    // Stripe payouts first: a bank line that is a payout is settled against its balance transactions,
    // so cash application never sees it as an unexplained receipt.
    const deposits = await reconcileDeposits(tx, opts.firmId);
    const snapshot = await loadSnapshot(tx, opts.firmId);
    const { decisions, stats } = planRun(snapshot, { windowDays });
    const now = opts.clock.now();
    const written = await writeDecisions(tx, opts.firmId, decisions, now);
    if (written > 0 || deposits.length > 0)
      await audit(tx, {
        firmId: opts.firmId,
        actor: opts.actor ?? 'system',
        action: 'reconcile.run',
        details: { decisions: written, windowDays, stats, stripeDepositsReconciled: deposits.length },
      });
    return stats;
  });
}
