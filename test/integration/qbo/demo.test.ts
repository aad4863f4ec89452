import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQboConnector } from '../../../src/connectors/qbo/connector.js';
import type { Database } from '../../../src/db/client.js';
import { applications, exceptions, firms, matters, payments } from '../../../src/db/schema/index.js';
import { qboDemo } from '../../../src/demo/qbo.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { syncQbo } from '../../../src/providers/qbo/books.js';
import { createTestDatabase } from '../../support/db.js';
import { server } from '../../support/msw.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

describe('QBO demo sample firm', () => {
  it('pulls Marsh & Pike LLP through the real connector with the numbers the demo prints', async () => {
    server.use(...qboDemo.handlers());
    const clock = fixedClock('2026-11-15T12:00:00Z');
    const [firm] = await database.db.insert(firms).values(qboDemo.firm).returning();
    const deps = { db: database.db, logger: silentLogger, clock };
    const { connectionId, report } = await qboDemo.pull(deps, firm!.id);
    expect(report.status).toBe('succeeded');
    const pulled = Object.fromEntries(
      Object.entries(report.kinds).map(([k, s]) => [k, [s.pulled, s.errors]]),
    );
    expect(pulled).toEqual({
      accounts: [9, 0],
      contacts: [6, 0],
      invoices: [7, 0],
      credit_notes: [1, 0],
      payments: [3, 0],
      bank_transactions: [5, 0],
      time_entries: [4, 0],
      gl_postings: [41, 0],
    });
    const [m] = await database.db.select().from(matters).where(eq(matters.firmId, firm!.id));
    expect(m).toMatchObject({
      externalId: '25',
      contactExternalId: '21',
      name: 'Lease dispute',
      status: 'open',
    });
    const ex = await database.db
      .select({ kind: exceptions.kind })
      .from(exceptions)
      .where(eq(exceptions.firmId, firm!.id));
    expect(ex).toEqual([{ kind: 'orphaned_payment' }]);
    // the partial payment: 1,000.00 received, 600.00 applied, 400.00 unapplied
    const [p] = await database.db
      .select()
      .from(payments)
      .where(and(eq(payments.firmId, firm!.id), eq(payments.externalId, '203')));
    const apps = await database.db
      .select()
      .from(applications)
      .where(and(eq(applications.firmId, firm!.id), eq(applications.sourceExternalId, '203')));
    expect(p!.amountMinor - apps.reduce((s, a) => s + a.amountMinor, 0)).toBe(40000);
    // a second sync of the same company is incremental and changes nothing
    const again = await syncQbo(
      deps,
      createQboConnector({ environment: 'production', clock, reportsFrom: () => '2026-11-01' }),
      {
        firmId: firm!.id,
        connectionId,
        tenantId: '9341453050298765',
        accessToken: async () => 'demo-recorded-responses',
        logger: silentLogger,
        firm: { timezone: qboDemo.firm.timezone, baseCurrency: 'USD' },
      },
    );
    expect(again.status).toBe('succeeded');
    for (const s of Object.values(again.kinds))
      expect({ inserted: s.inserted, updated: s.updated }).toEqual({ inserted: 0, updated: 0 });
    expect(again.orphanedPayments).toBe(0);
  });
});
