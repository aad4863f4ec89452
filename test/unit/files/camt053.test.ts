import { describe, expect, it } from 'vitest';
import { parseStatementFile } from '../../../src/connectors/files/index.js';
import type { AppError } from '../../../src/lib/errors.js';

const doc = (entries: string, closing = '100.00', version = '001.04') => `<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.${version}"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-02</Dt></Dt></Bal>
${entries}
</Stmt></BkToCstmrStmt></Document>`;

const tx = (amt: string, name: string, ref: string) =>
  `<TxDtls><Refs><EndToEndId>${ref}</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">${amt}</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Nm>${name}</Nm></Dbtr><DbtrAcct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Strd><CdtrRefInf><Ref>RF18${ref}</Ref></CdtrRefInf></Strd><Strd><RfrdDocInf><Nb>INV-${ref}</Nb></RfrdDocInf></Strd></RmtInf></TxDtls>`;

describe('CAMT.053 reader', () => {
  it('splits a batch entry whose TxDtls add up to it into one line each, keyed by AcctSvcrRef', () => {
    const batch = `<Ntry><NtryRef>N1</NtryRef><Amt Ccy="EUR">90.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><DtTm>2026-03-03T09:00:00+01:00</DtTm></ValDt><AcctSvcrRef>BATCH-7</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>${tx('60.00', 'Ann Lee', 'A1')}${tx('30.00', 'Bob Ray', 'B2')}</NtryDtls></Ntry>`;
    const st = parseStatementFile(Buffer.from(doc(batch))).statements[0]!;
    expect(st.mismatches).toEqual([]);
    expect(st.openingBalanceMinor).toBe(1000);
    expect(
      st.lines.map((l) => [
        l.dedupeKey,
        l.amountMinor,
        l.valueDate,
        l.counterpartyName,
        l.counterpartyAccount,
        l.endToEndId,
        l.remittance,
        l.transactionCode,
      ]),
    ).toEqual([
      [
        'camt:svcr:BATCH-7#1',
        6000,
        '2026-03-03',
        'Ann Lee',
        'FR1420041010050500013M02606',
        'A1',
        'RF18A1 INV-A1',
        'PMNT/RCDT/ESCT',
      ],
      [
        'camt:svcr:BATCH-7#2',
        3000,
        '2026-03-03',
        'Bob Ray',
        'FR1420041010050500013M02606',
        'B2',
        'RF18B2 INV-B2',
        'PMNT/RCDT/ESCT',
      ],
    ]);
  });

  it('keeps a batch whose TxDtls do not add up as one line, skips pending entries and marks reversals', () => {
    const entries = [
      `<Ntry><Amt Ccy="EUR">90.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-03-02</Dt></BookgDt><NtryDtls>${tx('60.00', 'Ann', 'A')}${tx('20.00', 'Bob', 'B')}</NtryDtls></Ntry>`,
      `<Ntry><Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts><BookgDt><Dt>2026-03-02</Dt></BookgDt></Ntry>`,
      `<Ntry><NtryRef>R9</NtryRef><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts><BookgDt><Dt>2026-03-02</Dt></BookgDt><NtryDtls><TxDtls><RtrInf><Rsn><Cd>MD06</Cd></Rsn></RtrInf></TxDtls></NtryDtls><AddtlNtryInf>Return of direct debit MD06</AddtlNtryInf></Ntry>`,
    ].join('');
    const st = parseStatementFile(Buffer.from(doc(entries, '95.00'))).statements[0]!;
    expect(st.mismatches).toEqual([]);
    expect(st.lines.map((l) => [l.dedupeKey, l.amountMinor, l.remittance, l.transactionCode])).toEqual([
      [expect.stringMatching(/^camt:[0-9a-f]{32}$/), 9000, 'RF18A INV-A', null],
      ['camt:ntry:R9', -500, 'Return of direct debit MD06', 'REVERSAL RETURN MD06'],
    ]);
  });

  it('names the closing balance that does not follow from opening + entries', () => {
    const e = `<Ntry><Amt Ccy="EUR">90.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-03-02</Dt></BookgDt></Ntry>`;
    expect(parseStatementFile(Buffer.from(doc(e, '99.99', '001.08'))).statements[0]!.mismatches).toEqual([
      {
        check: 'closing_balance',
        place: 'Stmt[1] (S1)/Bal[2] (CLBD)',
        message: 'PRCD 10.00 + entries 90.00 = 100.00, but CLBD is 99.99 EUR: off by -0.01 EUR',
        currency: 'EUR',
        differenceMinor: -1,
      },
    ]);
  });

  it('rejects XML that is not well-formed, another camt message, an unknown version and a bad amount', () => {
    const details = (s: string) => {
      try {
        parseStatementFile(Buffer.from(s), { format: 'camt053' });
      } catch (e) {
        return (e as AppError).details;
      }
      return null;
    };
    expect(details(doc('<Ntry><Amt Ccy="EUR">1.00</Amt></Ntr>'))).toMatchObject({
      format: 'camt053',
      place: 'line 6, column 32',
    });
    expect(details(doc('').replace('camt.053.001.04', 'camt.052.001.04'))).toMatchObject({
      reason: 'this is camt.052, not a camt.053 statement',
    });
    expect(details(doc('').replace('001.04', '001.13'))).toMatchObject({
      reason: 'camt.053 version 001.13 is not supported (001.02–001.08)',
    });
    expect(
      details(
        doc(
          '<Ntry><Amt Ccy="EUR">1,00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-03-02</Dt></BookgDt></Ntry>',
        ),
      ),
    ).toEqual({
      format: 'camt053',
      place: 'Stmt[1] (S1)/Ntry[1]',
      reason: 'Amt "1,00" is not an amount',
    });
    expect(details('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Document/>')).toMatchObject({
      reason: 'DOCTYPE/ENTITY declarations are not allowed',
    });
  });
});
