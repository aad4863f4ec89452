import { readFileSync } from 'node:fs';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { rowsOf } from '../../../src/db/migrate.js';
import { createBankAccount, type ImportStatementInput, importStatement } from '../../../src/db/repos/bank.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import { bankLines, exceptions } from '../../../src/db/schema/index.js';
import { AppError } from '../../../src/lib/errors.js';
import { createTestDatabase } from '../../support/db.js';
import { fixturePath } from '../../support/fixtures.js';

/**
 * Every public sample in test/fixtures/bank/: it imports with the exact line count and credit/debit totals,
 * or its own control figures do not add up and it is rejected naming the mismatch (and imports with
 * allowUnbalanced, raising statement_unbalanced). Re-importing adds nothing.
 */

let database: Database;
let firmId: string;
const bytes = (p: string) => readFileSync(fixturePath('bank', p));

/** Accounts (number or IBAN, currency) the samples name. */
const ACCOUNTS: [string, string][] = [
  ['1452687~7', 'USD'],
  ['12300 000012345678', 'CAD'],
  ['9100', 'USD'],
  ['9200', 'USD'],
  ['999-12345-0055666-EOP', 'CAD'],
  ['NL26VAYB8060476890', 'EUR'],
  ['10200123456', 'CAD'],
  ['1111111', 'USD'],
  ['11111111', 'USD'],
  ['50880050/0194787400888', 'EUR'],
  ['50880050/0194791600888', 'EUR'],
  ['45050050/76198810', 'DEM'],
  ['10020030/1234567', 'EUR'],
  ['BPHKPLPK/320000546101', 'PLN'],
  ['517852257', 'EUR'],
  ['NL71RABO0123456789', 'EUR'],
  ['Checking', 'USD'],
];
const csvAccount = { schwab: '', stripe: '' };

interface Balanced {
  file: string;
  lines: number;
  credits: number;
  debits: number;
  statements: number;
  options?: () => Partial<ImportStatementInput>;
}
interface Unbalanced {
  file: string;
  /** What the rejection must name: the place and the reason. */
  place: string;
  reason: string;
  differenceMinor: number | null;
  lines: number;
  credits: number;
  debits: number;
}

const BALANCED: Balanced[] = [
  { file: 'ofx/ofxparse-checking.ofx', statements: 1, lines: 3, credits: 1, debits: -5951 },
  { file: 'ofx/ofxparse-bank_medium.ofx', statements: 1, lines: 3, credits: 0, debits: -34527 },
  { file: 'ofx/ofxparse-multiple_accounts.ofx', statements: 2, lines: 0, credits: 0, debits: 0 },
  { file: 'qfx/actual-utf-8.qfx', statements: 1, lines: 1, credits: 0, debits: -2000 },
  {
    file: 'camt053/genkgo-camt053.v2.multi.statement.xml',
    statements: 2,
    lines: 2,
    credits: 885,
    debits: -700,
  },
  { file: 'bai2/moov-sample1.bai2', statements: 2, lines: 17, credits: 320000, debits: -320000 },
  { file: 'bai2/moov-sample3.bai2', statements: 15, lines: 26, credits: 39713, debits: -59418 },
  { file: 'mt940/cmxl-mt940.sta', statements: 3, lines: 16, credits: 7243674, debits: -6010944 },
  { file: 'mt940/jejik-rabobank-iban.sta', statements: 2, lines: 4, credits: 0, debits: -7000 },
  { file: 'csv/csv2ofx-default.csv', statements: 1, lines: 8, credits: 46500000, debits: 0 },
  {
    file: 'csv/csv2ofx-schwab-checking.csv',
    statements: 1,
    lines: 4,
    credits: 2000,
    debits: -23527,
    options: () => ({ bankAccountId: csvAccount.schwab }),
  },
  {
    file: 'csv/csv2ofx-stripe-default.csv',
    statements: 1,
    lines: 5,
    credits: 11250,
    debits: 0,
    options: () => ({ bankAccountId: csvAccount.stripe }),
  },
];

const UNBALANCED: Unbalanced[] = [
  {
    file: 'camt053/genkgo-camt053.v2.minimal.xml',
    place: 'Stmt[1] (253EURNL26VAYB8060476890)/Bal[2] (CLBD)',
    reason: 'CLBD is in SEK but the statement is in EUR',
    differenceMinor: null,
    lines: 1,
    credits: 885,
    debits: 0,
  },
  {
    file: 'camt053/genkgo-camt053.v8.xml',
    place: 'Stmt[1] (253EURNL26VAYB8060476890)/Bal[2] (CLBD)',
    reason: 'CLBD is in SEK but the statement is in EUR',
    differenceMinor: null,
    lines: 1,
    credits: 885,
    debits: 0,
  },
  {
    file: 'mt940/betterplace-sepa_snippet.sta',
    place: 'line 55 (:62F:) of statement T089414096000001 00004/00001',
    reason:
      ':60F: -1970431.87 + :61: lines -2501917.30 = -4472349.17, but :62F: is -4472049.09: off by 300.08 EUR',
    differenceMinor: 30008,
    lines: 11,
    credits: 36009391 + 107065181,
    debits: -150000 - 357256911,
  },
  {
    file: 'mt940/jejik-abnamro.sta',
    place: 'line 27 (:62F:) of statement ABN AMRO BANK NV 19321/1',
    reason: ':60F: 3236.28 + :61: lines -321.44 = 2914.84, but :62F: is 876.84: off by -2038.00 EUR',
    differenceMinor: -203800,
    lines: 10,
    credits: 0,
    debits: -34593,
  },
];

async function totals(): Promise<{ n: number; credits: number; debits: number }> {
  const [r] = rowsOf<{ n: number; credits: string | null; debits: string | null }>(
    await database.db.execute(
      sql`select count(*)::int as n, sum(amount_minor) filter (where amount_minor > 0) as credits,
          sum(amount_minor) filter (where amount_minor < 0) as debits from bank_lines where firm_id = ${firmId}`,
    ),
  );
  return { n: Number(r!.n), credits: Number(r!.credits ?? 0), debits: Number(r!.debits ?? 0) };
}

beforeAll(async () => {
  database = await createTestDatabase();
  firmId = (await createFirm(database.db, { name: 'Fixture Firm', baseCurrency: 'USD', timezone: 'UTC' })).id;
  for (const [number, currency] of ACCOUNTS) {
    const iban = /^[A-Z]{2}\d{2}[A-Z]/.test(number);
    await createBankAccount(database.db, {
      firmId,
      name: `acct ${number}`,
      currency,
      ...(iban ? { iban: number } : { accountNumber: number }),
    });
  }
  csvAccount.schwab = (await createBankAccount(database.db, { firmId, name: 'Schwab', currency: 'USD' })).id;
  csvAccount.stripe = (
    await createBankAccount(database.db, { firmId, name: 'Stripe CAD', currency: 'CAD' })
  ).id;
});
afterAll(async () => {
  await database?.close();
});

describe('every bank fixture', () => {
  it.each(BALANCED)('imports $file with its exact lines and totals, and adds 0 on re-import', async (f) => {
    const before = await totals();
    const input = {
      firmId,
      actor: 'test',
      content: bytes(f.file),
      fileName: f.file,
      ...(f.options?.() ?? {}),
    };
    const r = await importStatement(database.db, input);
    expect(r.statements).toHaveLength(f.statements);
    expect([r.linesRead, r.linesNew, r.linesKnown]).toEqual([f.lines, f.lines, 0]);
    const after = await totals();
    expect({
      n: after.n - before.n,
      credits: after.credits - before.credits,
      debits: after.debits - before.debits,
    }).toEqual({
      n: f.lines,
      credits: f.credits,
      debits: f.debits,
    });
    const again = await importStatement(database.db, input);
    expect([again.linesRead, again.linesNew, again.linesKnown]).toEqual([f.lines, 0, f.lines]);
    expect(again.statements.map((s) => s.statementId)).toEqual(r.statements.map((s) => s.statementId));
    expect(await totals()).toEqual(after);
  });

  it.each(UNBALANCED)(
    'rejects $file naming the mismatch, then imports it with allowUnbalanced',
    async (f) => {
      const before = await totals();
      const input = { firmId, actor: 'test', content: bytes(f.file), fileName: f.file };
      const err = await importStatement(database.db, input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.code).toBe('file_rejected');
      expect(e.details).toMatchObject({
        place: f.place,
        reason: f.reason,
        differenceMinor: f.differenceMinor,
      });
      expect(e.message).toContain(f.place);
      expect(await totals()).toEqual(before);

      const r = await importStatement(database.db, { ...input, allowUnbalanced: true });
      expect([r.linesRead, r.linesNew]).toEqual([f.lines, f.lines]);
      const after = await totals();
      expect({
        n: after.n - before.n,
        credits: after.credits - before.credits,
        debits: after.debits - before.debits,
      }).toEqual({
        n: f.lines,
        credits: f.credits,
        debits: f.debits,
      });
      const flagged = r.statements.filter((s) => s.mismatches.length);
      expect(flagged[0]!.mismatches[0]!.message).toBe(f.reason);
      for (const s of flagged) {
        const [ex] = await database.db
          .select()
          .from(exceptions)
          .where(and(eq(exceptions.firmId, firmId), eq(exceptions.subjectId, s.statementId)));
        expect(ex).toMatchObject({
          kind: 'statement_unbalanced',
          subjectKind: 'bank_statement',
          status: 'open',
        });
        expect(ex!.reason).toContain(s.mismatches[0]!.message);
        expect(ex!.details).toMatchObject({ mismatches: s.mismatches });
      }
      const again = await importStatement(database.db, { ...input, allowUnbalanced: true });
      expect(again.linesNew).toBe(0);
      const n = await database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(bankLines)
        .where(eq(bankLines.firmId, firmId));
      expect(Number(n[0]!.n)).toBe(after.n);
    },
  );
});
