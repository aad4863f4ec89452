import { describe, expect, it } from 'vitest';
import { parseStatementFile } from '../../../src/connectors/files/index.js';
import { parse86 } from '../../../src/connectors/files/mt940.js';
import { AppError } from '../../../src/lib/errors.js';
import { readFixture } from '../../support/fixtures.js';

const details = (s: string, format?: 'bai2' | 'mt940') => {
  try {
    parseStatementFile(Buffer.from(s), format ? { format } : {});
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).details;
  }
  throw new Error('not rejected');
};

describe('BAI2 reader', () => {
  it('splits several records on one physical line and joins 88 continuations to the 16 text', () => {
    const p = parseStatementFile(Buffer.from(readFixture('bank', 'bai2', 'moov-sample3.bai2')));
    expect(p.statements).toHaveLength(15);
    const first = p.statements[0]!;
    expect(first).toMatchObject({
      accountNumber: '1111111',
      currency: 'USD',
      openingBalanceMinor: -3500,
      closingBalanceMinor: -3600,
      mismatches: [],
    });
    expect(first.lines.map((l) => [l.transactionCode, l.amountMinor, l.remittance])).toEqual([
      ['142', 2500, 'TRANSFER PAYPAL PPD'],
      ['142', 500, 'TRANSFER MSPBNA BANK PPD'],
      ['142', 100, 'Ext Trnsfr JPMorgan Chase PPD'],
      ['451', -2500, '111111 ACH_SETL 1111111111 111111111111111 1111111111'],
      ['451', -600, '111111 ACH_SETL 1111111111 111111111111111 1111111111'],
      ['451', -100, 'Ext Trnsfr JPMorgan Chase 1111111111 111111111111111 11111111111'],
    ]);
    // identical lines in one file still get distinct keys
    const keys = p.statements.flatMap((s) => s.lines.map((l) => l.dedupeKey));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('reads funds types V, S and D and the bank reference as the key', () => {
    const file = [
      '01,SENDER,RECV,260302,0800,7,,,2/',
      '02,RECV,BANK,1,260301,,USD,2/',
      '03,555,,010,1000,,,015,1700,,/',
      '16,195,500,V,260228,1200,WIRE1,CUST1,Wire from Hale/',
      '16,165,300,S,100,100,100,ACH1,,ACH credit/',
      '16,475,100,D,2,0,50,1,50,CHK9,1042,Check paid/',
      '49,3600,5/',
      '98,3600,1,7/',
      '99,3600,1,9/',
    ].join('\n');
    const st = parseStatementFile(Buffer.from(file)).statements[0]!;
    expect(st.mismatches).toEqual([]);
    expect(
      st.lines.map((l) => [
        l.dedupeKey,
        l.bookingDate,
        l.valueDate,
        l.amountMinor,
        l.checkNumber,
        l.bankReference,
        l.remittance,
      ]),
    ).toEqual([
      ['bai2:ref:WIRE1:500', '2026-03-01', '2026-02-28', 500, null, 'WIRE1', 'Wire from Hale'],
      ['bai2:ref:ACH1:300', '2026-03-01', null, 300, null, 'ACH1', 'ACH credit'],
      ['bai2:ref:CHK9:-100', '2026-03-01', null, -100, '1042', 'CHK9', 'Check paid'],
    ]);
  });

  it('reads bank-defined credit (920–959) and debit (960–999) codes and rejects a status code on a 16', () => {
    const file = (code: string) =>
      [
        '01,S,R,260302,0800,7,,,2/',
        '02,R,B,1,260301,,USD,2/',
        '03,555,,010,0,,/',
        `16,${code},700,,REF1,,custom/`,
        '49,700,3/',
        '98,700,1,5/',
        '99,700,1,7/',
      ].join('\n');
    const amount = (code: string) =>
      parseStatementFile(Buffer.from(file(code))).statements[0]!.lines[0]!.amountMinor;
    expect([amount('925'), amount('975'), amount('195'), amount('495')]).toEqual([700, -700, 700, -700]);
    expect(details(file('905'))).toEqual({
      format: 'bai2',
      place: 'line 4 (record 16)',
      reason: 'type code 905 is not a credit or debit detail code',
    });
  });

  it('rejects a file without its trailers and a detail record outside an account', () => {
    const sample = readFixture('bank', 'bai2', 'moov-sample1.bai2');
    expect(details(sample.slice(0, sample.indexOf('98,')))).toMatchObject({
      format: 'bai2',
      reason: 'the group has no 98 trailer (truncated?)',
    });
    expect(
      details('01,A,B,260301,0800,1,,,2/\n02,B,A,1,260301,,USD,2/\n16,195,1,,,,x/\n98,1,0,3/\n99,1,1,5/'),
    ).toEqual({
      format: 'bai2',
      place: 'line 3 (record 16)',
      reason: 'expected an 03 account or 98 group trailer, found 16',
    });
  });
});

describe('MT940 reader', () => {
  it('reads German ?NN sub-fields with SEPA keywords', () => {
    expect(
      parse86([
        '166?00GUTSCHRIFT?100399?20EREF+EndToEndId TFNR 22 004?21 00001?22',
        'SVWZ+Verw CTSc-01 BC-PPP TF?23Nr 22 004?30DRESDEFF508?31DE1450880',
        '0500194785000?32KARL?33        KAUFMANN',
      ]),
    ).toMatchObject({
      code: '166 GUTSCHRIFT',
      name: 'KARL KAUFMANN',
      account: 'DE14508800500194785000',
      endToEndId: 'EndToEndId TFNR 22 004 00001',
      remittance: 'Verw CTSc-01 BC-PPP TFNr 22 004',
    });
  });

  it('reads Dutch /CODE/ sub-fields', () => {
    expect(
      parse86([
        '/EREF/01-01-2013 12:00 0030000987654321/BENM//NAME/CONTRA ACCOUN',
        'T HOLDER/REMI/Factuur INV-1234/ISDT/2013-07-11',
      ]),
    ).toMatchObject({
      name: 'CONTRA ACCOUNT HOLDER',
      endToEndId: '01-01-2013 12:00 0030000987654321',
      remittance: 'Factuur INV-1234',
    });
    expect(
      parse86([
        '/TRTP/SEPA OVERBOEKING/IBAN/NL86INGB0002445588/BIC/INGBNL2A/NAME/J. Jansen/REMI/INV-77/EREF/NOTPROVIDED',
      ]),
    ).toMatchObject({
      name: 'J. Jansen',
      account: 'NL86INGB0002445588',
      endToEndId: null,
      remittance: 'INV-77',
    });
  });

  it('reads reversals, funds codes, and an entry date across a year end', () => {
    const file = [
      ':20:REF1',
      ':25:DE44500105175407324931',
      ':28C:1/1',
      ':60F:C251231EUR100,00',
      ':61:2601021231CR10,00NTRFNONREF//B1',
      ':86:first',
      ':61:260102RC2,5NTRFNONREF//B2',
      ':86:reversed credit',
      ':61:260102RD1,NMSCNONREF',
      ':62F:C260102EUR108,50',
      '-',
    ].join('\r\n');
    const st = parseStatementFile(Buffer.from(file)).statements[0]!;
    expect(st.mismatches).toEqual([]);
    expect(
      st.lines.map((l) => [l.bookingDate, l.valueDate, l.amountMinor, l.bankReference, l.remittance]),
    ).toEqual([
      ['2025-12-31', '2026-01-02', 1000, 'B1', 'first'],
      ['2026-01-02', '2026-01-02', -250, 'B2', 'reversed credit'],
      ['2026-01-02', '2026-01-02', 100, null, null],
    ]);
  });

  it('reads a statement inside SWIFT {1:}{2:}{4: … -} blocks', () => {
    const file = [
      '{1:F01ABNANL2AXXXX0000000000}{2:O9401200260105ABNANL2AXXXX00000000002601051200N}{4:',
      ':20:STMT1',
      ':25:NL91ABNA0417164300',
      ':28C:5/1',
      ':60F:C260104EUR0,00',
      ':61:260105C1250,00NTRFNONREF//X1',
      ':86:/TRCD/00100/EREF/E-9/NAME/Hale LLP/REMI/INV-2044 fees/',
      ':62F:C260105EUR1250,00',
      '-}',
      '{5:{CHK:123456789ABC}}',
    ].join('\n');
    const p = parseStatementFile(Buffer.from(file));
    expect(p.format).toBe('mt940');
    expect(p.statements.map((s) => [s.iban, s.statementRef, s.mismatches.length])).toEqual([
      ['NL91ABNA0417164300', 'STMT1 5/1', 0],
    ]);
    expect(
      p.statements[0]!.lines.map((l) => [
        l.amountMinor,
        l.counterpartyName,
        l.endToEndId,
        l.remittance,
        l.transactionCode,
      ]),
    ).toEqual([[125000, 'Hale LLP', 'E-9', 'INV-2044 fees', 'TRF 00100']]);
  });

  it('rejects a statement without its closing balance and a malformed :61:', () => {
    expect(details(':20:R\n:25:123\n:60F:C260101EUR1,00\n:61:260101C1,00NTRFX\n', 'mt940')).toEqual({
      format: 'mt940',
      place: 'line 3 (:60F:)',
      reason: 'statement R has no :62F:/:62M: closing balance (truncated?)',
    });
    expect(
      details(':20:R\n:25:123\n:60F:C260101EUR1,00\n:61:2601X1C1,00NTRFX\n:62F:C260101EUR2,00\n', 'mt940'),
    ).toEqual({
      format: 'mt940',
      place: 'line 4 (:61:)',
      reason: '"2601X1C1,00NTRFX" is not value date, [entry date], D/C, amount, type, reference',
    });
  });
});
