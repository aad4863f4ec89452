import { count, eq } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnCtx } from '../../../src/connectors/connector.js';
import { createXeroConnector } from '../../../src/connectors/xero/connector.js';
import { type XeroOrgDataset, xeroReplayHandlers } from '../../../src/connectors/xero/replay.js';
import type { Database } from '../../../src/db/client.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import {
  accounts,
  applications,
  bankTransactions,
  connections,
  contacts,
  creditNotes,
  invoiceLines,
  invoices,
  payments,
  prepayments,
  syncErrors,
} from '../../../src/db/schema/index.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { runSync } from '../../../src/sync/run.js';
import { createTestDatabase } from '../../support/db.js';
import { jsonFixture } from '../../support/fixtures.js';
import { recordRequests, server } from '../../support/msw.js';

const TENANT = '8e7b8fc6-7a6f-4d31-9e1a-0cbb3f1e2d54';
const list = (file: string, key: string) => jsonFixture<Record<string, unknown[]>>('xero', file)[key] ?? [];

/** 150 generated invoices so Invoices needs two pages, then the shared fixtures. */
function dataset(): XeroOrgDataset {
  const template = list('invoice-single.response.json', 'Invoices')[0] as Record<string, unknown>;
  const generated = Array.from({ length: 150 }, (_, i) => ({
    ...template,
    InvoiceID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    InvoiceNumber: `GEN-${i}`,
    UpdatedDateUTC: `/Date(${1551981568133 + i * 1000}+0000)/`,
  }));
  return {
    Organisation: { OrganisationID: TENANT, Name: 'Fixture Org', BaseCurrency: 'NZD' },
    Accounts: list('accounts-list.response.json', 'Accounts'),
    Contacts: list('contacts-list.response.json', 'Contacts'),
    Invoices: [...list('invoices-list.response.json', 'Invoices'), ...generated],
    CreditNotes: list('credit-notes-list.response.json', 'CreditNotes'),
    Overpayments: list('overpayments-list.response.json', 'Overpayments'),
    Prepayments: list('prepayments-list.response.json', 'Prepayments'),
    Payments: [
      ...list('payments-list.response.json', 'Payments'),
      ...list('payments-refunds-and-reversals.response.json', 'Payments'),
    ],
    BankTransactions: list('bank-transactions-list.response.json', 'BankTransactions'),
  };
}

describe('Xero pull through runSync', () => {
  let database: Database;
  let ctx: ConnCtx;
  const data = dataset();
  const connector = createXeroConnector();

  beforeAll(async () => {
    database = await createTestDatabase();
    const firm = await createFirm(database.db, {
      name: 'Fixture Firm',
      baseCurrency: 'NZD',
      timezone: 'Pacific/Auckland',
    });
    const [conn] = await database.db
      .insert(connections)
      .values({ firmId: firm.id, provider: 'xero', tenantId: TENANT, displayName: 'Fixture Org' })
      .returning();
    ctx = {
      firmId: firm.id,
      connectionId: conn!.id,
      tenantId: TENANT,
      accessToken: async () => 'test-access-token',
      logger: silentLogger,
      firm: { timezone: 'Pacific/Auckland', baseCurrency: 'NZD' },
    };
  });
  afterAll(async () => database?.close());

  const counts = async () => {
    const db = database.db;
    const n = async (t: PgTable) => Number((await db.select({ n: count() }).from(t))[0]?.n ?? 0);
    return {
      accounts: await n(accounts),
      contacts: await n(contacts),
      invoices: await n(invoices),
      invoiceLines: await n(invoiceLines),
      creditNotes: await n(creditNotes),
      prepayments: await n(prepayments),
      payments: await n(payments),
      bankTransactions: await n(bankTransactions),
      applications: await n(applications),
      syncErrors: await n(syncErrors),
    };
  };

  it('lands every entity, pages invoices so their lines come back, and owns payment applications', async () => {
    server.use(...xeroReplayHandlers(data, { tenantId: TENANT }));
    const seen = recordRequests();
    const report = await runSync({ db: database.db, logger: silentLogger }, connector, ctx);
    expect(report.status).toBe('succeeded');
    expect(await counts()).toEqual({
      accounts: 2,
      contacts: 2,
      invoices: 153,
      invoiceLines: 150,
      creditNotes: 1, // the ACCPAYCREDIT is not a receivable
      prepayments: 6,
      payments: 5,
      bankTransactions: 3,
      applications: 2,
      syncErrors: 0,
    });
    const invoicePages = seen.filter((r) => new URL(r.url).pathname.endsWith('/Invoices'));
    expect(invoicePages.map((r) => new URL(r.url).searchParams.get('page'))).toEqual(['1', '2']);
    expect(invoicePages[0]?.headers.get('xero-tenant-id')).toBe(TENANT);
    expect(invoicePages[0]?.headers.get('if-modified-since')).toBeNull();
    const apps = await database.db
      .select({ key: applications.key, status: applications.status, amount: applications.amountMinor })
      .from(applications)
      .orderBy(applications.key);
    expect(apps).toEqual([
      { key: 'payment:0f1c6a0e-6d0a-4c57-9a0e-8f1b7f6a2b03', status: 'reversed', amount: 114139 },
      { key: 'payment:99ea7f6b-c513-4066-bc27-b7c65dcd76c2', status: 'active', amount: 4600 },
    ]);
    const [refund] = await database.db
      .select()
      .from(payments)
      .where(eq(payments.externalId, '0f1c6a0e-6d0a-4c57-9a0e-8f1b7f6a2b01'));
    expect(refund).toMatchObject({ kind: 'overpayment_refund', invoiceExternalId: null });
  });

  it('writes nothing when pulled again, and asks with If-Modified-Since', async () => {
    server.use(...xeroReplayHandlers(data, { tenantId: TENANT }));
    const before = await counts();
    const seen = recordRequests();
    const report = await runSync({ db: database.db, logger: silentLogger }, connector, ctx);
    expect(report.status).toBe('succeeded');
    for (const stats of Object.values(report.kinds)) expect([stats.inserted, stats.updated]).toEqual([0, 0]);
    expect(await counts()).toEqual(before);
    const inv = seen.find((r) => new URL(r.url).pathname.endsWith('/Invoices'));
    // the newest generated invoice's UpdatedDateUTC
    expect(inv?.headers.get('if-modified-since')).toBe(new Date(1551981568133 + 149 * 1000).toISOString());
  });

  it('turns a malformed record into a sync error naming record and field; the rest of the page lands', async () => {
    const bad = { ...(data.Invoices as Record<string, unknown>[])[2], InvoiceID: 'bad-0001', Total: 'abc' };
    const good = {
      ...(data.Invoices as Record<string, unknown>[])[2],
      InvoiceID: 'good-0001',
      InvoiceNumber: 'INV-0100',
    };
    const later = '/Date(1764720000000+0000)/';
    (data.Invoices as unknown[]).push({ ...bad, UpdatedDateUTC: later }, { ...good, UpdatedDateUTC: later });
    server.use(...xeroReplayHandlers(data, { tenantId: TENANT }));
    const report = await runSync({ db: database.db, logger: silentLogger }, connector, ctx, {
      kinds: ['invoices'],
    });
    expect(report.kinds.invoices).toEqual({
      // the newest invoice of the last pull comes back at the If-Modified-Since boundary, unchanged
      pulled: 3,
      inserted: 1,
      updated: 0,
      unchanged: 1,
      errors: 1,
    });
    const errs = await database.db.select().from(syncErrors);
    expect(errs.map((e) => ({ entity: e.entity, externalId: e.externalId, field: e.field }))).toEqual([
      { entity: 'invoices', externalId: 'bad-0001', field: 'Total' },
    ]);
    expect(errs[0]?.message).toMatch(/abc/);
    const landed = await database.db.select().from(invoices).where(eq(invoices.externalId, 'good-0001'));
    expect(landed).toHaveLength(1);
    const none = await database.db.select().from(invoices).where(eq(invoices.externalId, 'bad-0001'));
    expect(none).toHaveLength(0);
  });
});
