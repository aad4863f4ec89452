import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../src/cli/context.js';
import { buildProgram } from '../../../src/cli/index.js';
import { loadConfig } from '../../../src/config/env.js';
import type { Database } from '../../../src/db/client.js';
import { createApiKey } from '../../../src/db/repos/api-keys.js';
import { createBankAccount, listBankLines } from '../../../src/db/repos/bank.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import { applications, auditLog, bankLines, reconciliationDecisions } from '../../../src/db/schema/index.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { AppError } from '../../../src/lib/errors.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { reconcileFirm } from '../../../src/reconcile/index.js';
import { bearer, testApp } from '../../support/app.js';
import { writeCamt053 } from '../../support/bank-writers.js';
import { createTestDatabase } from '../../support/db.js';
import { makeInvoice, makeXeroFirm } from '../../support/factories.js';
import { fixturePath } from '../../support/fixtures.js';

let database: Database;
let app: ReturnType<typeof testApp>['app'];
let key: string;
let firmId: string;
const fixture = (p: string) => readFileSync(fixturePath('bank', p));

beforeAll(async () => {
  database = await createTestDatabase();
  ({ app } = testApp(database));
  firmId = (await createFirm(database.db, { name: 'Entry Firm', baseCurrency: 'USD', timezone: 'UTC' })).id;
  key = (await createApiKey(database.db, { firmId, name: 'statements-uploader', actor: 'test' })).key;
  await createBankAccount(database.db, {
    firmId,
    name: 'Operating',
    currency: 'USD',
    accountNumber: '1452687~7',
  });
  await createBankAccount(database.db, {
    firmId,
    name: 'BAI CAD',
    currency: 'CAD',
    accountNumber: '10200123456',
  });
});
afterAll(async () => {
  await database?.close();
});

describe('POST /api/v1/bank-statements', () => {
  it('imports the raw body and answers lines read / new / already known, audited with the key', async () => {
    const post = () =>
      app.request('/api/v1/bank-statements?fileName=checking.ofx', {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': 'application/x-ofx' },
        body: fixture('ofx/ofxparse-checking.ofx'),
      });
    const res = await post();
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      format: string;
      linesRead: number;
      linesNew: number;
      linesKnown: number;
      statementId: string;
    };
    expect(body).toMatchObject({ format: 'ofx', linesRead: 3, linesNew: 3, linesKnown: 0 });
    const [a] = await database.db.select().from(auditLog).where(eq(auditLog.subjectId, body.statementId));
    expect(a).toMatchObject({ actor: 'statements-uploader', action: 'bank_statement.import', firmId });
    const again = await post();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      linesRead: 3,
      linesNew: 0,
      linesKnown: 3,
      statementId: body.statementId,
    });
  });

  it('imports a multipart upload with its options as fields', async () => {
    const acct = await createBankAccount(database.db, { firmId, name: 'Schwab', currency: 'USD' });
    const form = new FormData();
    form.set('file', new Blob([fixture('csv/csv2ofx-schwab-checking.csv')]), 'schwab.csv');
    form.set('profile', 'schwab-checking');
    form.set('account', acct.id);
    const res = await app.request('/api/v1/bank-statements', {
      method: 'POST',
      headers: bearer(key),
      body: form,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      format: 'csv',
      bankAccountId: acct.id,
      linesRead: 4,
      linesNew: 4,
      linesKnown: 0,
    });
    expect(await listBankLines(database.db, firmId, acct.id)).toHaveLength(4);
  });

  it('answers problem+json naming the place and reason of a rejected file, storing nothing', async () => {
    const before = await database.db.select().from(bankLines).where(eq(bankLines.firmId, firmId));
    const text = fixture('bai2/moov-sample1.bai2')
      .toString('latin1')
      .replace('99,+00000000001280000,1,27/', '99,+00000000001280000,1,28/');
    const res = await app.request('/api/v1/bank-statements', {
      method: 'POST',
      headers: { ...bearer(key), 'content-type': 'text/plain' },
      body: text,
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      code: 'file_rejected',
      status: 422,
      format: 'bai2',
      place: 'line 27 (record 99)',
      reason: 'file record count 28 ≠ 27 in the file',
    });
    expect(await database.db.select().from(bankLines).where(eq(bankLines.firmId, firmId))).toEqual(before);
  });

  it('lists the imported statements a page at a time, for this firm only', async () => {
    const first = await app.request('/api/v1/bank-statements?limit=2', { headers: bearer(key) });
    expect(first.status).toBe(200);
    const p1 = (await first.json()) as {
      items: { format: string; fileName: string | null; linesRead: number; importedBy: string }[];
      nextCursor: string | null;
    };
    expect(p1.items.map((s) => [s.format, s.fileName, s.linesRead, s.importedBy])).toEqual([
      ['ofx', 'checking.ofx', 3, 'statements-uploader'],
      ['csv', 'schwab.csv', 4, 'statements-uploader'],
    ]);
    expect(p1.nextCursor).toBeNull();
    const other = await createFirm(database.db, { name: 'Other Firm', baseCurrency: 'USD', timezone: 'UTC' });
    const otherKey = (await createApiKey(database.db, { firmId: other.id, name: 'other', actor: 'test' }))
      .key;
    expect(
      await (await app.request('/api/v1/bank-statements', { headers: bearer(otherKey) })).json(),
    ).toEqual({ items: [], nextCursor: null });
    const one = (await (
      await app.request('/api/v1/bank-statements?limit=1', { headers: bearer(key) })
    ).json()) as { items: unknown[]; nextCursor: string };
    const next = (await (
      await app.request(`/api/v1/bank-statements?limit=1&cursor=${one.nextCursor}`, { headers: bearer(key) })
    ).json()) as { items: { fileName: string }[] };
    expect(next.items.map((s) => s.fileName)).toEqual(['schwab.csv']);
  });

  it('is listed in the OpenAPI document', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, { post?: { parameters?: { name: string }[] } }>;
    };
    expect(doc.paths['/api/v1/bank-statements']?.post?.parameters?.map((p) => p.name)).toEqual([
      'format',
      'profile',
      'account',
      'allowUnbalanced',
      'fileName',
    ]);
  });

  it('refuses a request with no file and one without an API key', async () => {
    const empty = await app.request('/api/v1/bank-statements', { method: 'POST', headers: bearer(key) });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ code: 'validation_failed' });
    const anon = await app.request('/api/v1/bank-statements', { method: 'POST', body: 'x' });
    expect(anon.status).toBe(401);
  });
});

describe('ledgerbridge import bank', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const ctx: CliContext = {
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
      logger: silentLogger,
      out: (l) => out.push(l),
      withDb: (_p, fn) => fn(database),
    };
    await buildProgram(ctx).parseAsync([
      'node',
      'ledgerbridge',
      ...args,
      ...(args.includes('--firm') ? [] : ['--firm', 'Entry Firm']),
    ]);
    return out;
  };

  it('imports a file, detecting its format, and says lines read / new / already known', async () => {
    const file = fixturePath('bank', 'bai2', 'moov-sample1.bai2');
    expect(await run(['import', 'bank', file, '--firm', 'Entry Firm'])).toEqual([
      'moov-sample1.bai2 (bai2): 17 lines read, 17 new, 0 already known',
      '  10200123456: 11 read, 11 new, 0 known',
      '  10200123456: 6 read, 6 new, 0 known',
    ]);
    expect((await run(['import', 'bank', file]))[0]).toBe(
      'moov-sample1.bai2 (bai2): 17 lines read, 0 new, 17 already known',
    );
  });

  it("reads a firm's own CSV profile file and an --account number, and names a missing account", async () => {
    await createBankAccount(database.db, {
      firmId,
      name: 'Euro',
      currency: 'EUR',
      accountNumber: 'FR-7630006000011234567890189',
    });
    const dir = mkdtempSync(join(tmpdir(), 'lb-files-'));
    const profile = join(dir, 'my-bank.json');
    writeFileSync(
      profile,
      JSON.stringify({
        name: 'my-bank',
        dateOrder: 'dmy',
        decimal: ',',
        delimiter: ';',
        currency: 'EUR',
        columns: { date: 'Datum', amount: 'Betrag', description: ['Text'] },
      }),
    );
    const csv = join(dir, 'export.csv');
    writeFileSync(csv, 'Datum;Text;Betrag\n03.02.2026;Honorar INV-77;1.234,50\n04.02.2026;Gebühr;-3,10\n');
    expect(
      await run(['import', 'bank', csv, '--profile', profile, '--account', 'FR7630006000011234567890189']),
    ).toEqual(['export.csv (csv): 2 lines read, 2 new, 0 already known']);
    const err = await run(['import', 'bank', fixturePath('bank', 'qfx', 'actual-utf-8.qfx')]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain('999-12345-0055666-EOP');
    expect((err as AppError).message).toContain('--create-account');
    expect(
      await run(['import', 'bank', fixturePath('bank', 'qfx', 'actual-utf-8.qfx'), '--create-account']),
    ).toEqual(['actual-utf-8.qfx (ofx): 1 lines read, 1 new, 0 already known']);
  });
});

describe('from the file to cash application', () => {
  it('matches a statement line whose remittance carries an invoice number to that invoice', async () => {
    const db = database.db;
    const { firm, bank, scope } = await makeXeroFirm(db);
    const inv = await makeInvoice(db, scope, {
      externalId: 'inv-x-42',
      number: 'INV-0042',
      totalMinor: 120000,
    });
    const { key: uploader, info: uploaderKey } = await createApiKey(db, {
      firmId: firm.id,
      name: 'camt-uploader',
      actor: 'test',
    });
    const uploaderId = uploaderKey.id;
    const camt = writeCamt053({
      account: 'GB33BUKB20201555555555',
      currency: 'USD',
      openingMinor: 500000,
      start: '2026-11-02',
      end: '2026-11-06',
      lines: [
        {
          date: '2026-11-05',
          amountMinor: 120000,
          name: 'Hale Holdings Ltd',
          memo: 'Payment for INV-0042 thank you',
          ref: 'SVC-1',
        },
        { date: '2026-11-06', amountMinor: -2500, name: 'Bank', memo: 'Monthly fee', ref: 'SVC-2' },
      ],
    });
    const res = await app.request(`/api/v1/bank-statements?account=${bank.id}&fileName=nov.xml`, {
      method: 'POST',
      headers: { ...bearer(uploader), 'content-type': 'application/xml' },
      body: camt,
    });
    expect(res.status).toBe(201);
    const imported = (await res.json()) as { statementId: string; linesNew: number };
    expect(imported.linesNew).toBe(2);
    const [audited] = await db.select().from(auditLog).where(eq(auditLog.subjectId, imported.statementId));
    expect(audited!.actor).toBe('camt-uploader');
    expect(audited!.details).toMatchObject({ apiKeyId: uploaderId, fileName: 'nov.xml', linesNew: 2 });

    await reconcileFirm(db, { firmId: firm.id, clock: fixedClock('2026-11-15T12:00:00Z') });
    const [line] = await db
      .select()
      .from(bankLines)
      .where(and(eq(bankLines.firmId, firm.id), eq(bankLines.dedupeKey, 'camt:svcr:SVC-1')));
    const [decision] = await db
      .select()
      .from(reconciliationDecisions)
      .where(
        and(eq(reconciliationDecisions.firmId, firm.id), eq(reconciliationDecisions.subjectId, line!.id)),
      );
    expect(decision).toMatchObject({ subjectKind: 'bank_line', method: 'reference', outcome: 'applied' });
    const apps = await db
      .select()
      .from(applications)
      .where(and(eq(applications.firmId, firm.id), eq(applications.sourceId, line!.id)));
    expect(apps.map((a) => [a.invoiceId, a.amountMinor, a.currency, a.status])).toEqual([
      [inv.id, 120000, 'USD', 'active'],
    ]);
  });
});
