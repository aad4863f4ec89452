import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../src/canonical/dates.js';
import type { Database } from '../../../src/db/client.js';
import { createBankAccount, importStatement, listBankLines } from '../../../src/db/repos/bank.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import { bankLines } from '../../../src/db/schema/index.js';
import { AppError } from '../../../src/lib/errors.js';
import {
  type GenLine,
  type GenStatement,
  writeBai2,
  writeCamt053,
  writeCsv,
  writeMt940,
  writeOfx,
} from '../../support/bank-writers.js';
import { createTestDatabase } from '../../support/db.js';
import { fixturePath } from '../../support/fixtures.js';

let database: Database;
let firmId: string;
const fixture = (p: string) => readFileSync(fixturePath('bank', p));
const allLines = async () => database.db.select().from(bankLines).where(eq(bankLines.firmId, firmId));

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe('file_rejected');
  return e as AppError;
}

beforeAll(async () => {
  database = await createTestDatabase();
  firmId = (await createFirm(database.db, { name: 'Checks Firm', baseCurrency: 'USD', timezone: 'UTC' })).id;
  await createBankAccount(database.db, {
    firmId,
    name: 'CAD ops',
    currency: 'CAD',
    accountNumber: '10200123456',
  });
  await createBankAccount(database.db, {
    firmId,
    name: 'EUR ops',
    currency: 'EUR',
    iban: 'NL26 VAYB 8060 4768 90',
  });
  await createBankAccount(database.db, {
    firmId,
    name: 'USD ops',
    currency: 'USD',
    accountNumber: '1452687~7',
  });
});
afterAll(async () => {
  await database?.close();
});

describe('tampered files are rejected whole, naming the place and the reason', () => {
  it('rejects a BAI2 file whose account trailer total was changed', async () => {
    const before = await allLines();
    const text = fixture('bai2/moov-sample1.bai2')
      .toString('latin1')
      .replace('49,+00000000000834000,14/', '49,+00000000000834001,14/');
    const e = await rejection(
      importStatement(database.db, { firmId, actor: 't', content: Buffer.from(text, 'latin1') }),
    );
    expect(e.details).toMatchObject({
      format: 'bai2',
      place: 'line 16 (record 49)',
      check: 'account_control_total',
      reason: 'account control total 8340.01 ≠ 8340.00 in the file: off by 0.01 CAD',
      differenceMinor: 1,
    });
    expect(e.message).toBe(
      'bai2 file rejected at line 16 (record 49): account control total 8340.01 ≠ 8340.00 in the file: off by 0.01 CAD (and 1 more)',
    );
    // the 98 group total, which adds the 49 totals as stated, no longer holds either
    expect(
      (e.details!.mismatches as { check: string; place: string }[]).map((m) => [m.check, m.place]),
    ).toEqual([
      ['account_control_total', 'line 16 (record 49)'],
      ['group_control_total', 'line 26 (record 98)'],
    ]);
    expect(await allLines()).toEqual(before);
  });

  it('rejects a CAMT.053 file whose closing balance is off by 0.01', async () => {
    const before = await allLines();
    const text = fixture('camt053/genkgo-camt053.v2.multi.statement.xml')
      .toString('utf8')
      .replace('<Amt Ccy="EUR">20.00</Amt>', '<Amt Ccy="EUR">20.01</Amt>');
    const e = await rejection(
      importStatement(database.db, { firmId, actor: 't', content: Buffer.from(text) }),
    );
    expect(e.details).toMatchObject({
      format: 'camt053',
      place: 'Stmt[2] (254EURNL26VAYB8060476890)/Bal[2] (CLBD)',
      check: 'closing_balance',
      reason: 'OPBD 27.00 + entries -7.00 = 20.00, but CLBD is 20.01 EUR: off by 0.01 EUR',
      differenceMinor: 1,
    });
    expect(await allLines()).toEqual(before);
  });

  it('rejects an OFX file truncated halfway', async () => {
    const before = await allLines();
    const full = fixture('ofx/ofxparse-checking.ofx');
    const e = await rejection(
      importStatement(database.db, {
        firmId,
        actor: 't',
        content: full.subarray(0, Math.floor(full.length / 2)),
      }),
    );
    expect(e.details).toMatchObject({
      format: 'ofx',
      place: 'line 51',
      reason: 'the file ends inside <STMTTRN> opened at line 46 (truncated?)',
    });
    expect(await allLines()).toEqual(before);
  });

  it('rejects a CSV row with an unparseable date', async () => {
    const before = await allLines();
    const text = fixture('csv/csv2ofx-schwab-checking.csv')
      .toString('utf8')
      .replace('"08/09/2022"', '"08/39/2022"');
    const e = await rejection(
      importStatement(database.db, {
        firmId,
        actor: 't',
        content: Buffer.from(text),
        profile: 'schwab-checking',
        accountNumber: '1452687~7',
      }),
    );
    expect(e.details).toMatchObject({
      format: 'csv',
      place: 'line 4, column "Date"',
      reason: '"08/39/2022" is not a date (mdy)',
    });
    expect(await allLines()).toEqual(before);
  });

  it('rejects a file in no known format and one that is empty', async () => {
    const e = await rejection(
      importStatement(database.db, { firmId, actor: 't', content: Buffer.from('hello world') }),
    );
    expect(e.details).toMatchObject({ format: 'unknown', place: 'start of file' });
    const empty = await rejection(
      importStatement(database.db, { firmId, actor: 't', content: Buffer.alloc(0) }),
    );
    expect(empty.details).toMatchObject({ reason: 'the file is empty' });
  });
});

describe('account resolution', () => {
  it('refuses an account given by the caller for a file of several accounts, storing nothing', async () => {
    const acct = await createBankAccount(database.db, { firmId, name: 'one of two', currency: 'USD' });
    const e = await importStatement(database.db, {
      firmId,
      actor: 't',
      content: fixture('ofx/ofxparse-multiple_accounts.ofx'),
      bankAccountId: acct.id,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('validation_failed');
    expect((e as AppError).message).toContain('2 accounts (9100, 9200)');
  });

  it('asks for the account when the file names none', async () => {
    const e = await importStatement(database.db, {
      firmId,
      actor: 't',
      content: fixture('csv/csv2ofx-schwab-checking.csv'),
    }).catch((x: unknown) => x);
    expect((e as AppError).message).toBe(
      'the csv file names no account: name the bank account (--account id, number or IBAN)',
    );
  });

  it('matches the account number without spaces, dashes or case', async () => {
    const acct = await createBankAccount(database.db, {
      firmId,
      name: 'spaced',
      currency: 'CAD',
      accountNumber: '12300-0000-12345678',
    });
    const r = await importStatement(database.db, {
      firmId,
      actor: 't',
      content: fixture('ofx/ofxparse-bank_medium.ofx'),
    });
    expect(r.bankAccountId).toBe(acct.id);
  });
});

describe('encodings', () => {
  const csv =
    'Date,Description,Amount,Reference\r\n2026-03-02,"Müller & Søn — Zoë Café",1250.00,INV-1001\r\n2026-03-03,"Frédéric Naïve, Ægir",-75.10,\r\n';
  const profile = {
    name: 'firm-accents',
    dateOrder: 'ymd' as const,
    currency: 'USD',
    columns: {
      date: 'Date',
      amount: 'Amount',
      description: ['Description'],
      counterparty: 'Description',
      reference: 'Reference',
    },
  };

  it('imports the same CSV saved as Windows-1252, UTF-16 LE/BE and UTF-8 with BOM to identical lines', async () => {
    const variants: [string, Buffer][] = [
      ['windows-1252', iconv.encode(csv, 'win1252')],
      ['utf-16le', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(csv, 'utf-16le')])],
      ['utf-16be', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(csv, 'utf-16be')])],
      ['utf-16le-nobom', iconv.encode(csv, 'utf-16le')],
      ['utf-8-bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)])],
    ];
    expect(variants[0]![1].includes(Buffer.from('ü'))).toBe(false); // really single-byte
    const seen: unknown[] = [];
    for (const [name, content] of variants) {
      const acct = await createBankAccount(database.db, { firmId, name: `csv ${name}`, currency: 'USD' });
      const r = await importStatement(database.db, {
        firmId,
        actor: 't',
        content,
        profile,
        bankAccountId: acct.id,
        fileName: `${name}.csv`,
      });
      expect(r.linesNew).toBe(2);
      const rows = await listBankLines(database.db, firmId, acct.id);
      seen.push(
        rows.map((l) => [
          l.dedupeKey,
          l.bookingDate,
          l.amountMinor,
          l.counterpartyName,
          l.remittance,
          l.bankReference,
        ]),
      );
    }
    expect(seen[0]).toEqual([
      [
        expect.stringMatching(/^csv:/),
        '2026-03-02',
        125000,
        'Müller & Søn — Zoë Café',
        'Müller & Søn — Zoë Café',
        'INV-1001',
      ],
      [
        expect.stringMatching(/^csv:/),
        '2026-03-03',
        -7510,
        'Frédéric Naïve, Ægir',
        'Frédéric Naïve, Ægir',
        null,
      ],
    ]);
    for (const s of seen.slice(1)) expect(s).toEqual(seen[0]);
  });
});

const line = (date: string, amountMinor: number, i: number): GenLine => ({
  date,
  amountMinor,
  name: `Payer ${i % 5}`,
  memo: `Invoice INV-${2000 + i}`,
  ref: `REF${date.replaceAll('-', '')}N${i}`,
});

/** Three lines a day for `days` days from `start`. */
function days(account: string, currency: string, start: string, n: number, opening: number): GenStatement {
  const lines: GenLine[] = [];
  for (let d = 0; d < n; d++)
    for (let k = 0; k < 3; k++) {
      const i = d * 3 + k;
      lines.push(
        line(addDays(start, d), (k === 2 ? -1 : 1) * (1000 + ((d * 7 + k * 13) % 50) * 100), i + d * 100),
      );
    }
  return { account, currency, openingMinor: opening, start, end: addDays(start, n - 1), lines };
}

/** The second statement overlaps the first by a week: its first 7 days are the first's last 7. */
function overlapping(account: string, currency: string) {
  const full = days(account, currency, '2026-02-01', 21, 500_000);
  const a = { ...full, end: '2026-02-14', lines: full.lines.filter((l) => l.date <= '2026-02-14') };
  const before = full.lines
    .filter((l) => l.date < '2026-02-08')
    .reduce((t, l) => t + l.amountMinor, full.openingMinor);
  const b = {
    ...full,
    start: '2026-02-08',
    openingMinor: before,
    lines: full.lines.filter((l) => l.date >= '2026-02-08'),
  };
  return { a, b, newInB: full.lines.filter((l) => l.date > '2026-02-14').length };
}

describe('overlapping statements add only the new days', () => {
  const cases: [string, string, string, (s: GenStatement) => string][] = [
    ['OFX', '55501', 'USD', (s) => writeOfx(s)],
    ['CAMT.053', 'DE89370400440532013000', 'EUR', (s) => writeCamt053(s)],
    ['BAI2', '55502', 'USD', writeBai2],
    ['MT940', 'DE44500105175407324931', 'EUR', (s) => writeMt940(s, 'german')],
    ['CSV', '55503', 'USD', (s) => writeCsv(s)],
  ];
  it.each(cases)('%s', async (name, account, currency, write) => {
    const isIban = /^[A-Z]{2}/.test(account);
    const acct = await createBankAccount(database.db, {
      firmId,
      name: `overlap ${name}`,
      currency,
      ...(isIban ? { iban: account } : { accountNumber: account }),
    });
    const { a, b, newInB } = overlapping(account, currency);
    const opts = name === 'CSV' ? { profile: 'generic-signed-ymd', bankAccountId: acct.id } : {};
    const first = await importStatement(database.db, {
      firmId,
      actor: 't',
      content: Buffer.from(write(a)),
      ...opts,
    });
    expect([first.bankAccountId, first.linesRead, first.linesNew]).toEqual([acct.id, 42, 42]);
    const second = await importStatement(database.db, {
      firmId,
      actor: 't',
      content: Buffer.from(write(b)),
      ...opts,
    });
    expect([second.linesRead, second.linesNew, second.linesKnown]).toEqual([42, newInB, 42 - newInB]);
    expect(newInB).toBe(21);
    const rows = await listBankLines(database.db, firmId, acct.id);
    expect(rows).toHaveLength(63);
    expect(
      rows.filter((r) => r.bookingDate > '2026-02-14').every((r) => r.statementId === second.statementId),
    ).toBe(true);
  });
});

describe('OFX continuity with the previous statement', () => {
  it("rejects an OFX statement whose closing balance does not follow from the previous one's", async () => {
    const acct = await createBankAccount(database.db, {
      firmId,
      name: 'continuity',
      currency: 'USD',
      accountNumber: '77001',
    });
    const week1 = days('77001', 'USD', '2026-01-01', 7, 100_000);
    await importStatement(database.db, { firmId, actor: 't', content: Buffer.from(writeOfx(week1)) });
    const week2 = days('77001', 'USD', '2026-01-08', 7, 0);
    // the writer states opening + lines as LEDGERBAL; opening 0 ≠ week 1's closing
    const closing1 = week1.lines.reduce((t, l) => t + l.amountMinor, week1.openingMinor);
    const e = await rejection(
      importStatement(database.db, { firmId, actor: 't', content: Buffer.from(writeOfx(week2)) }),
    );
    expect(e.details).toMatchObject({ check: 'continuity', differenceMinor: -closing1 });
    expect(e.message).toContain("previous statement's closing");
    const ok = await importStatement(database.db, {
      firmId,
      actor: 't',
      content: Buffer.from(writeOfx({ ...week2, openingMinor: closing1 })),
    });
    expect(ok.linesNew).toBe(21);
    expect(await listBankLines(database.db, firmId, acct.id)).toHaveLength(42);
  });
});
