import { readFileSync } from 'node:fs';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xeroReplayHandlers } from '../../../src/connectors/xero/replay.js';
import { importStatement } from '../../../src/db/repos/bank.js';
import { bankLines, invoices, reconciliationDecisions, syncRuns } from '../../../src/db/schema/index.js';
import { createPostgresQueue } from '../../../src/queue/postgres.js';
import '../../../src/worker/jobs.js';
import { startWorker } from '../../../src/worker/worker.js';
import { recordRequests, server } from '../../support/msw.js';
import { type Harness, harness, seedGrant } from '../connections/harness.js';

const dataset = JSON.parse(readFileSync('src/demo/data/xero-sample-firm.json', 'utf8')) as {
  tenantId: string;
};

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

describe('a connected Xero org, end to end through the queue', () => {
  it('is pulled by the sync.connection job with its stored token, then reconciled by the follow-up job', async () => {
    server.use(...xeroReplayHandlers(dataset as never));
    const seen = recordRequests();
    const { connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens: {
        accessToken: 'xero-access-token-for-the-sync-job-0001',
        refreshToken: 'xero-refresh-token-0001',
      },
      accessExpiresAt: new Date(h.clock.now().getTime() + 25 * 60_000),
      tenantIds: [dataset.tenantId],
    });
    const connectionId = connectionIds[0]!;
    const queue = createPostgresQueue(h.deps.db);
    await queue.send({ type: 'sync.connection', payload: { connectionId }, groupId: connectionId });
    const worker = startWorker({ deps: { ...h.deps, queue }, queue, concurrency: 1, idleMs: 50 });
    try {
      for (let i = 0; i < 600; i++) {
        const s = await queue.stats();
        if (s.queued === 0 && s.leased === 0 && worker.stats.succeeded >= 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await worker.stop();
    }
    expect(worker.stats).toMatchObject({ succeeded: 2, failed: 0 });

    const xeroCalls = seen.filter((r) => r.url.startsWith('https://api.xero.com/'));
    expect(xeroCalls.length).toBeGreaterThanOrEqual(8);
    for (const call of xeroCalls) {
      expect(call.headers.get('authorization')).toBe('Bearer xero-access-token-for-the-sync-job-0001');
      expect(call.headers.get('xero-tenant-id')).toBe(dataset.tenantId);
    }
    const [run] = await h.deps.db.select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
    expect(run?.status).toBe('succeeded');
    const [inv] = await h.deps.db
      .select({ n: count() })
      .from(invoices)
      .where(eq(invoices.connectionId, connectionId));
    expect(inv?.n).toBe(13); // 14 in the org, one malformed

    // the statement arrives later; the next reconcile applies it against the pulled books
    await importStatement(h.deps.db, {
      firmId: h.firm.id,
      actor: 'test',
      content: readFileSync('src/demo/data/statements/operating-2026-11.ofx'),
      fileName: 'operating-2026-11.ofx',
    });
    const [lines] = await h.deps.db
      .select({ n: count() })
      .from(bankLines)
      .where(eq(bankLines.firmId, h.firm.id));
    expect(lines?.n).toBe(11);
    await queue.send({ type: 'reconcile.firm', payload: { firmId: h.firm.id } });
    const again = startWorker({ deps: { ...h.deps, queue }, queue, concurrency: 1, idleMs: 50 });
    for (let i = 0; i < 600 && again.stats.succeeded < 1; i++) await new Promise((r) => setTimeout(r, 100));
    await again.stop();
    const decided = await h.deps.db
      .select({ method: reconciliationDecisions.method })
      .from(reconciliationDecisions)
      .where(eq(reconciliationDecisions.firmId, h.firm.id));
    const byMethod = decided.reduce<Record<string, number>>(
      (a, d) => ({ ...a, [d.method]: (a[d.method] ?? 0) + 1 }),
      {},
    );
    expect(byMethod.already_in_books).toBe(3);
  });
});
