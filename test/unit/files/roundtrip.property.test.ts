import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../src/canonical/dates.js';
import { parseStatementFile } from '../../../src/connectors/files/index.js';
import {
  closingOf,
  type GenStatement,
  writeBai2,
  writeCamt053,
  writeCsv,
  writeMt940,
  writeOfx,
} from '../../support/bank-writers.js';

const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
const text = fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));
const amount = fc.integer({ min: -50_000_000, max: 50_000_000 }).filter((n) => n !== 0);

/** A statement: 0–15 lines over 1–20 days from a start between 2001 and 2035, in a 2-decimal currency. */
const statement = (account: fc.Arbitrary<string>) =>
  fc
    .record({
      account,
      currency: fc.constantFrom('USD', 'EUR', 'CAD', 'GBP'),
      openingMinor: fc.integer({ min: -10_000_000, max: 900_000_000 }),
      startOffset: fc.integer({ min: 0, max: 12_000 }),
      days: fc.integer({ min: 0, max: 20 }),
      lines: fc.array(fc.record({ day: fc.nat(), amountMinor: amount, name: text, memo: text }), {
        maxLength: 15,
      }),
    })
    .map(({ startOffset, days, lines, ...rest }): GenStatement => {
      const start = addDays('2001-01-01', startOffset);
      return {
        ...rest,
        start,
        end: addDays(start, days),
        lines: lines
          .map((l, i) => ({ ...l, date: addDays(start, l.day % (days + 1)), ref: `R${i}X${l.day}` }))
          .map(({ day: _day, ...l }) => l)
          .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)),
      };
    });

const accountNo = fc.stringMatching(/^[0-9]{6,12}$/);
const iban = fc.stringMatching(/^[0-9]{10}$/).map((d) => `NL91ABNA${d}`);
const bytes = (s: string) => Buffer.from(s, 'utf8');
const runs = { numRuns: 60 };

describe('statements written in each format read back to the same lines', () => {
  it.each(['sgml', 'xml'] as const)('OFX (%s)', (dialect) => {
    fc.assert(
      fc.property(statement(accountNo), (s) => {
        const [st, ...more] = parseStatementFile(bytes(writeOfx(s, dialect))).statements;
        expect(more).toEqual([]);
        expect(st!.accountNumber).toBe(s.account);
        expect(st!.closingBalanceMinor).toBe(closingOf(s));
        expect(st!.mismatches).toEqual([]);
        expect(
          st!.lines.map((l) => [l.bookingDate, l.amountMinor, l.counterpartyName, l.remittance, l.dedupeKey]),
        ).toEqual(s.lines.map((l) => [l.date, l.amountMinor, l.name, l.memo, `fitid:${l.ref}`]));
      }),
      runs,
    );
  });

  it.each(['001.02', '001.04', '001.08'])('CAMT.053 %s', (version) => {
    fc.assert(
      fc.property(statement(iban), (s) => {
        const p = parseStatementFile(bytes(writeCamt053(s, version)));
        expect(p.version).toBe(version);
        const st = p.statements[0]!;
        expect([st.iban, st.openingBalanceMinor, st.closingBalanceMinor, st.mismatches]).toEqual([
          s.account,
          s.openingMinor,
          closingOf(s),
          [],
        ]);
        expect(
          st.lines.map((l) => [
            l.bookingDate,
            l.amountMinor,
            l.counterpartyName,
            l.remittance,
            l.endToEndId,
            l.bankReference,
          ]),
        ).toEqual(s.lines.map((l) => [l.date, l.amountMinor, l.name, l.memo, `E2E-${l.ref}`, l.ref]));
      }),
      runs,
    );
  });

  it('BAI2', () => {
    fc.assert(
      fc.property(statement(accountNo), (s) => {
        const st = parseStatementFile(bytes(writeBai2(s))).statements[0]!;
        expect([st.accountNumber, st.openingBalanceMinor, st.closingBalanceMinor, st.mismatches]).toEqual([
          s.account,
          s.openingMinor,
          closingOf(s),
          [],
        ]);
        expect(
          st.lines.map((l) => [l.valueDate, l.bookingDate, l.amountMinor, l.remittance, l.bankReference]),
        ).toEqual(s.lines.map((l) => [l.date, s.end, l.amountMinor, `${l.name} ${l.memo}`, l.ref]));
      }),
      runs,
    );
  });

  it.each(['dutch', 'german'] as const)('MT940 (%s :86:)', (dialect) => {
    fc.assert(
      fc.property(statement(iban), (s) => {
        const st = parseStatementFile(bytes(writeMt940(s, dialect))).statements[0]!;
        expect([st.iban, st.openingBalanceMinor, st.closingBalanceMinor, st.mismatches]).toEqual([
          s.account,
          s.openingMinor,
          closingOf(s),
          [],
        ]);
        expect(
          st.lines.map((l) => [
            l.bookingDate,
            l.amountMinor,
            l.counterpartyName,
            l.remittance,
            l.endToEndId,
            l.bankReference,
          ]),
        ).toEqual(s.lines.map((l) => [l.date, l.amountMinor, l.name, l.memo, `E2E-${l.ref}`, l.ref]));
        expect(new Set(st.lines.map((l) => l.dedupeKey)).size).toBe(s.lines.length);
      }),
      runs,
    );
  });

  it.each([
    [',', false],
    [';', true],
  ] as const)('CSV (delimiter %s, day-first %s)', (delimiter, dmy) => {
    const profile = {
      name: 'firm-test',
      dateOrder: dmy ? ('dmy' as const) : ('ymd' as const),
      currency: 'USD',
      columns: { date: 'Date', amount: 'Amount', description: ['Description'], reference: 'Reference' },
    };
    fc.assert(
      fc.property(
        statement(accountNo).filter((s) => s.lines.length > 0),
        (s0) => {
          const s = { ...s0, currency: 'USD' };
          const st = parseStatementFile(bytes(writeCsv(s, { delimiter, dmy })), { format: 'csv', profile })
            .statements[0]!;
          expect(st.lines.map((l) => [l.bookingDate, l.amountMinor, l.remittance, l.bankReference])).toEqual(
            s.lines.map((l) => [l.date, l.amountMinor, l.memo, l.ref]),
          );
          expect(new Set(st.lines.map((l) => l.dedupeKey)).size).toBe(s.lines.length);
        },
      ),
      runs,
    );
  });
});
