import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../src/canonical/dates.js';
import type { Database } from '../../../src/db/client.js';
import { createBankAccount, importStatement, listBankLines } from '../../../src/db/repos/bank.js';
import { createFirm } from '../../../src/db/repos/firms.js';
import {
  type GenStatement,
  writeBai2,
  writeCamt053,
  writeCsv,
  writeMt940,
  writeOfx,
} from '../../support/bank-writers.js';
import { createTestDatabase } from '../../support/db.js';

/** Generated statements, written in each format, imported: the rows are the lines generated, once. */

let database: Database;
let firmId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  firmId = (await createFirm(database.db, { name: 'Property Firm', baseCurrency: 'USD', timezone: 'UTC' }))
    .id;
});
afterAll(async () => {
  await database?.close();
});

const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const text = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));
const gen = fc
  .record({
    openingMinor: fc.integer({ min: -1_000_000, max: 90_000_000 }),
    start: fc.integer({ min: 0, max: 9000 }).map((d) => addDays('2002-01-01', d)),
    lines: fc.array(
      fc.record({
        day: fc.integer({ min: 0, max: 9 }),
        amountMinor: fc.integer({ min: -9_000_000, max: 9_000_000 }).filter((n) => n !== 0),
        name: text,
        memo: text,
      }),
      { minLength: 1, maxLength: 12 },
    ),
  })
  .map(
    ({ start, lines, openingMinor }): Omit<GenStatement, 'account' | 'currency'> => ({
      openingMinor,
      start,
      end: addDays(start, 9),
      lines: lines
        .map(({ day, ...l }, i) => ({ ...l, date: addDays(start, day), ref: `P${i}D${day}` }))
        .sort((a, b) => a.date.localeCompare(b.date)),
    }),
  );

let n = 0;
const cases: [string, boolean, (s: GenStatement) => string][] = [
  ['OFX', false, (s) => writeOfx(s, 'xml')],
  ['CAMT.053', true, (s) => writeCamt053(s, '001.02')],
  ['BAI2', false, writeBai2],
  ['MT940', true, (s) => writeMt940(s, 'dutch')],
  ['CSV', false, (s) => writeCsv(s)],
];

describe('generated statements imported from each format', () => {
  it.each(cases)(
    '%s: stores exactly the generated lines, and a re-import adds none',
    async (name, iban, write) => {
      await fc.assert(
        fc.asyncProperty(gen, async (g) => {
          n += 1;
          const account = iban ? `NL02ABNA${String(1_000_000_000 + n)}` : `99${n}`;
          const acct = await createBankAccount(database.db, {
            firmId,
            name: `${name} ${n}`,
            currency: 'EUR',
            ...(iban ? { iban: account } : { accountNumber: account }),
          });
          const s: GenStatement = { ...g, account, currency: 'EUR' };
          const content = Buffer.from(write(s));
          const opts =
            name === 'CSV'
              ? {
                  bankAccountId: acct.id,
                  profile: {
                    name: 'eur',
                    dateOrder: 'ymd' as const,
                    currency: 'EUR',
                    columns: {
                      date: 'Date',
                      amount: 'Amount',
                      description: ['Description'],
                      reference: 'Reference',
                    },
                  },
                }
              : {};
          const r = await importStatement(database.db, { firmId, actor: 'prop', content, ...opts });
          expect([r.bankAccountId, r.linesRead, r.linesNew]).toEqual([
            acct.id,
            s.lines.length,
            s.lines.length,
          ]);
          const rows = await listBankLines(database.db, firmId, acct.id);
          const date = (l: { bookingDate: string; valueDate: string | null }) =>
            name === 'BAI2' ? l.valueDate : l.bookingDate;
          const key = (x: [string | null, number]) => `${x[0]}|${x[1]}`;
          expect(rows.map((l) => key([date(l), l.amountMinor])).sort()).toEqual(
            s.lines.map((l) => key([l.date, l.amountMinor])).sort(),
          );
          const again = await importStatement(database.db, { firmId, actor: 'prop', content, ...opts });
          expect([again.linesNew, again.linesKnown]).toEqual([0, s.lines.length]);
        }),
        { numRuns: 12 },
      );
    },
  );
});
