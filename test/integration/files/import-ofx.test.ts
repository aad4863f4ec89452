import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { createBankAccount, importStatement, listBankLines } from '../../../src/db/repos/bank.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import { auditLog, bankStatements } from '../../../src/db/schema/index.js';
import { isAppError } from '../../../src/lib/errors.js';
import { createTestDatabase } from '../../support/db.js';
import { fixturePath } from '../../support/fixtures.js';

let database: Database;
let firmId: string;
const bytes = (p: string) => readFileSync(fixturePath('bank', p));

beforeAll(async () => {
  database = await createTestDatabase();
  firmId = (
    await createFirm(database.db, { name: 'Hale OFX', baseCurrency: 'USD', timezone: 'America/New_York' })
  ).id;
});
afterAll(async () => {
  await database?.close();
});

describe('importStatement (OFX)', () => {
  it('imports an OFX 1.02 statement by the account number in the file, once, audited with the actor', async () => {
    const acct = await createBankAccount(database.db, {
      firmId,
      name: 'Operating',
      currency: 'USD',
      accountNumber: '1452687~7',
    });
    const r = await importStatement(database.db, {
      firmId,
      actor: 'key:test',
      content: bytes('ofx/ofxparse-checking.ofx'),
      fileName: 'checking.ofx',
    });
    expect(r).toMatchObject({
      format: 'ofx',
      bankAccountId: acct.id,
      linesRead: 3,
      linesNew: 3,
      linesKnown: 0,
    });
    const lines = await listBankLines(database.db, firmId, acct.id);
    expect(lines.map((l) => [l.bookingDate, l.amountMinor, l.dedupeKey, l.checkNumber])).toEqual([
      ['2011-03-31', 1, 'fitid:0000486', null],
      ['2011-04-05', -3451, 'fitid:0000487', null],
      ['2011-04-07', -2500, 'fitid:0000488', '319'],
    ]);
    const [st] = await database.db.select().from(bankStatements).where(eq(bankStatements.id, r.statementId));
    expect(st).toMatchObject({
      closingBalanceMinor: 10099,
      periodStart: '2000-01-01',
      periodEnd: '2013-05-25',
      linesNew: 3,
    });
    const audits = await database.db.select().from(auditLog).where(eq(auditLog.subjectId, r.statementId));
    expect(audits.map((a) => [a.actor, a.action])).toEqual([['key:test', 'bank_statement.import']]);

    const again = await importStatement(database.db, {
      firmId,
      actor: 'key:test',
      content: bytes('ofx/ofxparse-checking.ofx'),
    });
    expect(again).toMatchObject({ statementId: r.statementId, linesRead: 3, linesNew: 0, linesKnown: 3 });
    expect(await listBankLines(database.db, firmId, acct.id)).toHaveLength(3);
  });

  it('refuses a file whose account matches none of the firm, naming the account, and stores nothing', async () => {
    const err = await importStatement(database.db, {
      firmId,
      actor: 'cli',
      content: bytes('qfx/actual-utf-8.qfx'),
    }).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('validation_failed');
    expect((err as Error).message).toContain('999-12345-0055666-EOP');
  });
});
