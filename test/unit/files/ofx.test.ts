import { describe, expect, it } from 'vitest';
import { parseStatementFile } from '../../../src/connectors/files/index.js';
import { AppError } from '../../../src/lib/errors.js';
import { readFixture } from '../../support/fixtures.js';

const parse = (s: string) => parseStatementFile(Buffer.from(s));
const rejected = (s: string) => {
  try {
    parse(s);
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).details as { format: string; place: string; reason: string };
  }
  throw new Error('not rejected');
};

const sgml = (trn: string, range = '<DTSTART>20260101<DTEND>20260131') =>
  `OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>1<ACCTID>42<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST>${range}
${trn}
</BANKTRANLIST><LEDGERBAL><BALAMT>10.00<DTASOF>20260131</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;

describe('OFX reader', () => {
  it('reads an SGML file with everything on a few lines and [-5:EST] zones as the bank calendar day', () => {
    const st = parseStatementFile(Buffer.from(readFixture('bank', 'ofx', 'ofxparse-bank_medium.ofx')))
      .statements[0]!;
    expect(st).toMatchObject({
      accountNumber: '12300 000012345678',
      currency: 'CAD',
      periodStart: '2009-04-01',
      periodEnd: '2009-05-23',
      closingBalanceMinor: 38234,
    });
    expect(
      st.lines.map((l) => [
        l.bookingDate,
        l.amountMinor,
        l.counterpartyName,
        l.remittance,
        l.checkNumber,
        l.transactionCode,
      ]),
    ).toEqual([
      ['2009-04-01', -660, "MCDONALD'S #112", "POS MERCHANDISE;MCDONALD'S #112", null, 'POS'],
      [
        '2009-04-02',
        -31667,
        "Joe's Bald Hairstyles",
        "MISCELLANEOUS PAYMENTS;Joe's Bald Hairstyles",
        null,
        'CHECK',
      ],
      ['2009-04-03', -2200, "CONNIE'S HAIR D", "POS MERCHANDISE;CONNIE'S HAIR D", null, 'POS'],
    ]);
  });

  it('reads an OFX 2.x XML file with two accounts as two statements', () => {
    const p = parseStatementFile(Buffer.from(readFixture('bank', 'ofx', 'ofxparse-multiple_accounts.ofx')));
    expect(p.version).toBe('211');
    expect(p.statements.map((s) => [s.accountNumber, s.closingBalanceMinor, s.lines.length])).toEqual([
      ['9100', 11100, 0],
      ['9200', 22200, 0],
    ]);
  });

  it('decodes entities, keeps check numbers and reads a credit-card statement', () => {
    const trn =
      '<STMTTRN><TRNTYPE>CHECK<DTPOSTED>20260105<TRNAMT>-1,50<FITID>A1<CHECKNUM>1001<NAME>Smith &amp; Sons<MEMO>INV-7 &lt;paid&gt;</STMTTRN>';
    const l = parse(sgml(trn)).statements[0]!.lines[0]!;
    expect([l.amountMinor, l.checkNumber, l.counterpartyName, l.remittance]).toEqual([
      -150,
      '1001',
      'Smith & Sons',
      'INV-7 <paid>',
    ]);
    const cc = `<OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>USD<CCACCTFROM><ACCTID>4111</CCACCTFROM><BANKTRANLIST><DTSTART>20260101<DTEND>20260102<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260102<TRNAMT>-9.99<FITID>c1<NAME>Shop</STMTTRN></BANKTRANLIST></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>`;
    expect(parse(cc).statements[0]!.lines.map((l) => [l.dedupeKey, l.amountMinor])).toEqual([
      ['fitid:c1', -999],
    ]);
  });

  it('flags a transaction posted outside the statement range', () => {
    const trn = '<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260215<TRNAMT>5.00<FITID>X</STMTTRN>';
    expect(parse(sgml(trn)).statements[0]!.mismatches).toEqual([
      {
        check: 'date_range',
        place: '<STMTTRN> at line 7',
        message: "DTPOSTED 2026-02-15 is outside the statement's range 2026-01-01..2026-01-31",
        currency: 'USD',
        differenceMinor: null,
      },
    ]);
  });

  it('rejects a reused FITID, a missing amount, a bad date, a stray end tag and a DTSTART after DTEND', () => {
    const t = (id: string, amt = '<TRNAMT>1.00') =>
      `<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260105${amt}<FITID>${id}</STMTTRN>`;
    expect(rejected(sgml(`${t('A')}\n${t('A')}`))).toEqual({
      format: 'ofx',
      place: '<STMTTRN> at line 8',
      reason: 'FITID A already used by <STMTTRN> at line 7',
    });
    expect(rejected(sgml(t('B', ''))).reason).toBe('TRNAMT is missing');
    expect(rejected(sgml(t('C', '<TRNAMT>1.0.0'))).reason).toBe('TRNAMT "1.0.0" is not an amount');
    expect(rejected(sgml(t('D').replace('20260105', '20260230'))).reason).toBe(
      'DTPOSTED "20260230" is not an OFX date',
    );
    expect(rejected(sgml(`${t('E')}</BANKACCTFROM>`))).toMatchObject({
      place: 'line 7',
      reason: '</BANKACCTFROM> does not match: <BANKTRANLIST> opened at line 6 is not closed',
    });
    expect(rejected(sgml('', '<DTSTART>20260201<DTEND>20260131')).reason).toBe(
      'DTSTART 2026-02-01 is after DTEND 2026-01-31',
    );
  });

  it('reads a Windows-1252 OFX 1.x file with accents intact', () => {
    const trn =
      '<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260105<TRNAMT>10.00<FITID>W1<NAME>Caf\u00e9 D\u00fcrer<MEMO>R\u00e9f INV-9</STMTTRN>';
    const bytes = Buffer.from(
      sgml(trn).replace('VERSION:102', 'VERSION:102\nENCODING:USASCII\nCHARSET:1252'),
      'latin1',
    );
    expect(bytes.includes(0xe9)).toBe(true);
    const l = parseStatementFile(bytes).statements[0]!.lines[0]!;
    expect([l.counterpartyName, l.remittance]).toEqual(['Café Dürer', 'Réf INV-9']);
  });

  it("rejects a response carrying the bank's error status instead of a statement", () => {
    expect(
      rejected(
        'OFXHEADER:100\n<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>2000<SEVERITY>ERROR<MESSAGE>Account closed</STATUS></STMTTRNRS></BANKMSGSRSV1></OFX>',
      ),
    ).toEqual({
      format: 'ofx',
      place: '<STMTTRNRS> at line 2',
      reason: 'the bank answered status 2000 (Account closed) instead of a statement',
    });
  });

  it('rejects a file with no statement in it', () => {
    expect(rejected('OFXHEADER:100\n<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>')).toEqual({
      format: 'ofx',
      place: 'line 2',
      reason: 'no bank or credit-card statement (<STMTRS>/<CCSTMTRS>)',
    });
  });
});
