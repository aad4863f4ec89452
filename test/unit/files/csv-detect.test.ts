import { readdirSync, readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, detectEncoding } from '../../../src/connectors/files/decode.js';
import { detectFormat, parseStatementFile } from '../../../src/connectors/files/index.js';
import { parseProfile, shippedProfiles } from '../../../src/connectors/files/profiles.js';
import type { AppError } from '../../../src/lib/errors.js';
import { fixturePath } from '../../support/fixtures.js';

describe('format detection', () => {
  const expected: Record<string, string> = {
    ofx: 'ofx',
    qfx: 'ofx',
    camt053: 'camt053',
    bai2: 'bai2',
    mt940: 'mt940',
    csv: 'csv',
  };
  for (const [dir, format] of Object.entries(expected)) {
    it(`detects every ${dir} fixture as ${format}, from content alone`, () => {
      for (const f of readdirSync(fixturePath('bank', dir))) {
        const text = decodeText(readFileSync(fixturePath('bank', dir, f)));
        expect(detectFormat(text), f).toBe(format);
      }
    });
  }
});

describe('encodings', () => {
  it('tells UTF-8, UTF-8 with BOM, UTF-16 LE/BE and Windows-1252 apart', () => {
    const s = 'Date,Name\n2026-01-02,Zoë Müller\n';
    expect(detectEncoding(Buffer.from(s))).toBe('utf-8');
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]))).toBe('utf-8');
    expect(detectEncoding(iconv.encode(s, 'utf-16le'))).toBe('utf-16le');
    expect(detectEncoding(iconv.encode(s, 'utf-16be'))).toBe('utf-16be');
    expect(detectEncoding(iconv.encode(s, 'win1252'))).toBe('windows-1252');
    expect(decodeText(iconv.encode(s, 'win1252'))).toBe(s);
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(s, 'utf-16le')]))).toBe(s);
  });
});

describe('CSV profiles', () => {
  it('ships valid profiles, each with a unique name', () => {
    expect([...shippedProfiles().keys()].sort()).toEqual([
      'chase-checking',
      'csv2ofx-default',
      'generic-signed-ymd',
      'schwab-checking',
      'stripe-payments',
    ]);
  });

  it('picks a shipped profile by its header and reads $1,036.47 and debit/credit columns', () => {
    const p = parseStatementFile(readFileSync(fixturePath('bank', 'csv', 'csv2ofx-schwab-checking.csv')));
    expect(p.version).toBe('schwab-checking');
    const st = p.statements[0]!;
    expect([st.openingBalanceMinor, st.closingBalanceMinor, st.periodStart, st.periodEnd]).toEqual([
      109374,
      87847,
      '2022-08-04',
      '2022-08-17',
    ]);
    expect(st.lines.map((l) => [l.bookingDate, l.amountMinor, l.checkNumber])).toEqual([
      ['2022-08-17', 2000, null],
      ['2022-08-14', -10300, null],
      ['2022-08-09', -7500, '558'],
      ['2022-08-04', -5727, null],
    ]);
  });

  it('reads the Stripe export: charge id as key, invoice id from the unnamed column', () => {
    const st = parseStatementFile(readFileSync(fixturePath('bank', 'csv', 'csv2ofx-stripe-default.csv')))
      .statements[0]!;
    const inv = st.lines.find((l) => l.bankReference?.startsWith('in_'));
    expect(inv).toMatchObject({
      dedupeKey: 'csv:id:ch_1IVbR2BI9JK85yVZUofVdX4R',
      amountMinor: 1000,
      currency: 'CAD',
      bookingDate: '2021-03-16',
      counterpartyName: 'Big Customer',
    });
    expect(inv!.remittance).toContain('Invoice 396BEA86-0001');
  });

  it('flags a running balance that breaks, naming the row', () => {
    const text = readFileSync(fixturePath('bank', 'csv', 'csv2ofx-schwab-checking.csv'), 'utf8').replace(
      '"$961.47"',
      '"$961.48"',
    );
    expect(parseStatementFile(Buffer.from(text)).statements[0]!.mismatches).toEqual([
      {
        check: 'running_balance',
        place: 'line 3, column "RunningBalance"',
        message: 'balance 858.47 ≠ 961.48 (line 4) + -103.00 = 858.48: off by -0.01 USD',
        currency: 'USD',
        differenceMinor: -1,
      },
    ]);
  });

  it('reads parenthesised negatives, a trailing minus and day-first dates', () => {
    const profile = {
      name: 'x',
      dateOrder: 'dmy' as const,
      currency: 'GBP',
      columns: { date: 'When', amount: 'Amt', description: ['What'] },
    };
    const st = parseStatementFile(
      Buffer.from(
        'When,What,Amt\n31/01/2026,Fee,(12.00)\n01/02/26,Refund,3.50-\n02.02.2026,Pay,"1,200.00"\n',
      ),
      { format: 'csv', profile },
    ).statements[0]!;
    expect(st.lines.map((l) => [l.bookingDate, l.amountMinor])).toEqual([
      ['2026-01-31', -1200],
      ['2026-02-01', -350],
      ['2026-02-02', 120000],
    ]);
  });

  it('refuses an invalid profile with the failing fields, an unknown name, and a CSV no profile matches', () => {
    const bad = (() => {
      try {
        parseProfile({ name: 'p', dateOrder: 'ydm', columns: { date: 'D' } });
      } catch (e) {
        return e as AppError;
      }
    })();
    expect(bad?.code).toBe('validation_failed');
    expect(bad?.fields?.map((f) => f.path)).toEqual(expect.arrayContaining(['dateOrder']));
    expect(() =>
      parseStatementFile(Buffer.from('a,b\n1,2\n'), { format: 'csv', profile: 'no-such-bank' }),
    ).toThrow(/no CSV profile named "no-such-bank"/);
    expect(() => parseStatementFile(Buffer.from('a,b\n1,2\n'), { format: 'csv' })).toThrow(/pass --profile/);
  });
});
