import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../src/cli/context.js';
import { buildProgram } from '../../../src/cli/index.js';
import { loadConfig } from '../../../src/config/env.js';
import type { Database } from '../../../src/db/client.js';
import { createApiKey } from '../../../src/db/repos/api-keys.js';
import { auditLog } from '../../../src/db/schema/index.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { bearer, testApp } from '../../support/app.js';
import { createTestDatabase } from '../../support/db.js';
import {
  makeBankLine,
  makeContact,
  makeInvoice,
  makePayment,
  makeXeroFirm,
} from '../../support/factories.js';

let database: Database;
let firm: Awaited<ReturnType<typeof makeXeroFirm>>;
let key: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  firm = await makeXeroFirm(db);
  const { scope, bank } = firm;
  await makeContact(db, scope, { externalId: 'c1', name: 'Acme Limited' });
  await makeInvoice(db, scope, {
    externalId: 'i1',
    number: 'INV-0001',
    contactExternalId: 'c1',
    totalMinor: 10000,
  });
  await makeInvoice(db, scope, {
    externalId: 'i2',
    number: 'INV-0002',
    contactExternalId: 'c1',
    totalMinor: 20000,
    dueDate: '2026-11-30',
  });
  await makeInvoice(db, scope, {
    externalId: 'i3',
    number: 'INV-0003',
    contactExternalId: 'c1',
    totalMinor: 5000,
  });
  await makePayment(db, scope, {
    externalId: 'p3',
    amountMinor: 5000,
    date: '2026-11-02',
    bankLedgerAccountExternalId: 'bank-operating',
    invoiceExternalId: 'i3',
  });
  await makeBankLine(db, firm.firm.id, bank.id, {
    dedupeKey: 'a',
    bookingDate: '2026-11-02',
    amountMinor: 5000,
  });
  await makeBankLine(db, firm.firm.id, bank.id, {
    dedupeKey: 'b',
    bookingDate: '2026-11-03',
    amountMinor: 10000,
    remittance: 'INV 1',
  });
  await makeBankLine(db, firm.firm.id, bank.id, {
    dedupeKey: 'c',
    bookingDate: '2026-11-04',
    amountMinor: 777,
    counterpartyName: 'Nobody',
  });
  key = (await createApiKey(db, { firmId: firm.firm.id, name: 'coordinator', actor: 'test' })).key;
});
afterAll(async () => {
  await database?.close();
});

function cli(): { ctx: CliContext; lines: string[] } {
  const lines: string[] = [];
  const ctx: CliContext = {
    config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MATCH_BOOKS_WINDOW_DAYS: '3' }),
    logger: silentLogger,
    out: (l) => lines.push(l),
    withDb: (_purpose, fn) => fn(database),
  };
  return { ctx, lines };
}

describe('ledgerbridge reconcile and GET /api/v1/decisions', () => {
  it('the CLI runs reconcileFirm and prints the stats per tier; a second run changes nothing', async () => {
    const first = cli();
    await buildProgram(first.ctx).parseAsync(['reconcile', '--json'], { from: 'user' });
    expect(JSON.parse(first.lines.join('\n'))).toEqual({
      bankLinesConsidered: 3,
      alreadyInBooks: 1,
      appliedByReference: 1,
      appliedByContactAmount: 0,
      exceptionsByKind: { unmatched_receipt: 1 },
      unchanged: 0,
      creditsConsidered: 0,
    });
    // the window came from the config (MATCH_BOOKS_WINDOW_DAYS=3), and the run is audited
    const runs = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.firmId, firm.firm.id), eq(auditLog.action, 'reconcile.run')));
    expect(runs.map((r) => [r.actor, r.action, (r.details as { windowDays: number }).windowDays])).toEqual([
      ['cli', 'reconcile.run', 3],
    ]);
    const second = cli();
    await buildProgram(second.ctx).parseAsync(['reconcile', '--firm', firm.firm.name], { from: 'user' });
    const text = second.lines.join('\n');
    expect(text).toContain(`cash application for ${firm.firm.name}`);
    expect(text).toMatch(/money-in bank lines considered\s*│\s*3/);
    expect(text).toMatch(/already in the books\s*│\s*0/);
    expect(text).toMatch(/decided earlier, unchanged\s*│\s*3/);
  });

  it('the CLI refuses a window outside 0–31 days with a clear message', async () => {
    const { ctx } = cli();
    await expect(
      buildProgram(ctx).parseAsync(['reconcile', '--window-days', 'lots'], { from: 'user' }),
    ).rejects.toThrow(/--window-days must be a whole number from 0 to 31, not "lots"/);
  });

  it('GET /api/v1/decisions lists the decisions with evidence, filtered and paged', async () => {
    const { app } = testApp(database);
    const res = await app.request('/api/v1/decisions?limit=2', { headers: bearer(key) });
    expect(res.status).toBe(200);
    const page = (await res.json()) as {
      items: { outcome: string; method: string; confidence: number }[];
      nextCursor: string | null;
    };
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    const rest = await app.request(`/api/v1/decisions?limit=2&cursor=${page.nextCursor}`, {
      headers: bearer(key),
    });
    const page2 = (await rest.json()) as typeof page;
    expect(page2.nextCursor).toBeNull();
    expect([...page.items, ...page2.items].map((d) => `${d.method}/${d.outcome}`).sort()).toEqual([
      'already_in_books/already_in_books',
      'reference/applied',
      'suggestion/exception',
    ]);

    const applied = await app.request('/api/v1/decisions?outcome=applied', { headers: bearer(key) });
    const body = (await applied.json()) as {
      items: {
        subject: { kind: string };
        confidence: number;
        evidence: { applied: { invoiceNumber: string }[] };
      }[];
    };
    expect(
      body.items.map((d) => [d.subject.kind, d.confidence, d.evidence.applied[0]!.invoiceNumber]),
    ).toEqual([['bank_line', 980, 'INV-0001']]);

    const bad = await app.request('/api/v1/decisions?outcome=maybe', { headers: bearer(key) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await app.request('/api/v1/decisions')).status).toBe(401);
  });

  it('documents both routes in the OpenAPI document', async () => {
    const { app } = testApp(database);
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/decisions', '/api/v1/open-invoices']),
    );
  });

  it('GET /api/v1/open-invoices answers the derived open balances', async () => {
    const { app } = testApp(database);
    const res = await app.request('/api/v1/open-invoices', { headers: bearer(key) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      items: { number: string; openMinor: number; contact: { name: string } }[];
    };
    // INV-0001 was paid by the bank line, INV-0003 by the Xero payment: only INV-0002 is open
    expect(body.items.map((i) => [i.number, i.openMinor, i.contact.name])).toEqual([
      ['INV-0002', 20000, 'Acme Limited'],
    ]);
  });
});
