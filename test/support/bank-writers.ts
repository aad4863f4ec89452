import { formatMinor } from '../../src/canonical/money.js';

/**
 * Statement writers for tests only: a generated statement written as OFX (SGML or XML), CAMT.053, BAI2,
 * MT940 or CSV, so that reading it back can be compared with what was generated.
 */

export interface GenLine {
  date: string;
  amountMinor: number;
  /** Counterparty name / payee. */
  name: string;
  /** Remittance text. */
  memo: string;
  /** Unique per statement line: FITID, AcctSvcrRef, bank reference. */
  ref: string;
}

export interface GenStatement {
  account: string;
  currency: string;
  openingMinor: number;
  start: string;
  end: string;
  lines: GenLine[];
}

export const closingOf = (s: GenStatement): number =>
  s.lines.reduce((t, l) => t + l.amountMinor, s.openingMinor);
const compact = (d: string) => d.replaceAll('-', '');
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function writeOfx(s: GenStatement, dialect: 'sgml' | 'xml' = 'sgml'): string {
  const leaf = (tag: string, v: string) =>
    dialect === 'xml' ? `<${tag}>${xml(v)}</${tag}>` : `<${tag}>${xml(v)}`;
  const head =
    dialect === 'xml'
      ? '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
      : 'OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:UTF-8\nCHARSET:NONE\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n';
  const trns = s.lines.map((l) =>
    [
      '<STMTTRN>',
      leaf('TRNTYPE', l.amountMinor >= 0 ? 'CREDIT' : 'DEBIT'),
      leaf('DTPOSTED', `${compact(l.date)}120000.000[-5:EST]`),
      leaf('TRNAMT', formatMinor(l.amountMinor, s.currency)),
      leaf('FITID', l.ref),
      leaf('NAME', l.name),
      leaf('MEMO', l.memo),
      '</STMTTRN>',
    ].join('\n'),
  );
  return `${head}<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS>${leaf('CODE', '0')}${leaf('SEVERITY', 'INFO')}</STATUS>${leaf('DTSERVER', '20260101120000')}${leaf('LANGUAGE', 'ENG')}</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS>${leaf('TRNUID', '1')}<STATUS>${leaf('CODE', '0')}${leaf('SEVERITY', 'INFO')}</STATUS>
<STMTRS>${leaf('CURDEF', s.currency)}
<BANKACCTFROM>${leaf('BANKID', '121000248')}${leaf('ACCTID', s.account)}${leaf('ACCTTYPE', 'CHECKING')}</BANKACCTFROM>
<BANKTRANLIST>${leaf('DTSTART', compact(s.start))}${leaf('DTEND', compact(s.end))}
${trns.join('\n')}
</BANKTRANLIST>
<LEDGERBAL>${leaf('BALAMT', formatMinor(closingOf(s), s.currency))}${leaf('DTASOF', compact(s.end))}</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
`;
}

export function writeCamt053(s: GenStatement, version = '001.08'): string {
  const v8 = Number(version.slice(-2)) >= 6;
  const party = (nm: string) => (v8 ? `<Pty><Nm>${xml(nm)}</Nm></Pty>` : `<Nm>${xml(nm)}</Nm>`);
  const amt = (m: number) =>
    `<Amt Ccy="${s.currency}">${formatMinor(Math.abs(m), s.currency)}</Amt><CdtDbtInd>${m < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd>`;
  const bal = (code: string, m: number, d: string) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>${amt(m)}<Dt><Dt>${d}</Dt></Dt></Bal>`;
  const entries = s.lines.map(
    (
      l,
    ) => `<Ntry>${amt(l.amountMinor)}<RvslInd>false</RvslInd>${v8 ? '<Sts><Cd>BOOK</Cd></Sts>' : '<Sts>BOOK</Sts>'}
<BookgDt><Dt>${l.date}</Dt></BookgDt><ValDt><Dt>${l.date}</Dt></ValDt><AcctSvcrRef>${xml(l.ref)}</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${l.amountMinor < 0 ? 'ICDT' : 'RCDT'}</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-${xml(l.ref)}</EndToEndId></Refs>
<RltdPties>${l.amountMinor < 0 ? `<Cdtr>${party(l.name)}</Cdtr>` : `<Dbtr>${party(l.name)}</Dbtr>`}</RltdPties>
<RmtInf><Ustrd>${xml(l.memo)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.${version}"><BkToCstmrStmt>
<GrpHdr><MsgId>MSG-${compact(s.end)}</MsgId><CreDtTm>${s.end}T18:00:00+00:00</CreDtTm></GrpHdr>
<Stmt><Id>STMT-${compact(s.start)}-${compact(s.end)}</Id><CreDtTm>${s.end}T18:00:00+00:00</CreDtTm>
<FrToDt><FrDtTm>${s.start}T00:00:00+00:00</FrDtTm><ToDtTm>${s.end}T23:59:59+00:00</ToDtTm></FrToDt>
<Acct><Id><IBAN>${s.account}</IBAN></Id><Ccy>${s.currency}</Ccy></Acct>
${bal('OPBD', s.openingMinor, s.start)}
${bal('CLBD', closingOf(s), s.end)}
${entries.join('\n')}
</Stmt></BkToCstmrStmt></Document>
`;
}

/** BAI2: one group, one account; each line's date as its value date (funds type V). */
export function writeBai2(s: GenStatement): string {
  const yymmdd = (d: string) => compact(d).slice(2);
  const recs: string[] = [];
  const closing = closingOf(s);
  const credits = s.lines.filter((l) => l.amountMinor > 0);
  const debits = s.lines.filter((l) => l.amountMinor < 0);
  const sum = (ls: GenLine[]) => ls.reduce((t, l) => t + Math.abs(l.amountMinor), 0);
  recs.push(
    `03,${s.account},${s.currency},010,${s.openingMinor},,,015,${closing},,,100,${sum(credits)},${credits.length},,400,${sum(debits)},${debits.length},/`,
  );
  let total = s.openingMinor + closing + sum(credits) + sum(debits);
  for (const l of s.lines) {
    recs.push(
      `16,${l.amountMinor > 0 ? '195' : '495'},${Math.abs(l.amountMinor)},V,${yymmdd(l.date)},,${l.ref},,${l.name} ${l.memo}/`,
    );
    total += Math.abs(l.amountMinor);
  }
  recs.push(`49,${total},${recs.length + 1}/`);
  const group = [`02,RECEIVER,121000248,1,${yymmdd(s.end)},2400,${s.currency},2/`, ...recs];
  group.push(`98,${total},1,${group.length + 1}/`);
  const file = [`01,121000248,RECEIVER,${yymmdd(s.end)},2300,1,80,,2/`, ...group];
  file.push(`99,${total},1,${file.length + 1}/`);
  return `${file.join('\n')}\n`;
}

export function writeMt940(s: GenStatement, dialect: 'dutch' | 'german' = 'dutch'): string {
  const amt = (m: number) => formatMinor(Math.abs(m), s.currency).replace('.', ',');
  const yymmdd = (d: string) => compact(d).slice(2);
  const bal = (tag: string, m: number, d: string) =>
    `:${tag}:${m < 0 ? 'D' : 'C'}${yymmdd(d)}${s.currency}${amt(m)}`;
  const out = [
    ':20:STMT' + compact(s.end),
    `:25:${s.account}`,
    ':28C:1/1',
    bal('60F', s.openingMinor, s.start),
  ];
  for (const l of s.lines) {
    out.push(
      `:61:${yymmdd(l.date)}${compact(l.date).slice(4)}${l.amountMinor < 0 ? 'D' : 'C'}${amt(l.amountMinor)}NTRFNONREF//${l.ref}`,
    );
    out.push(
      dialect === 'dutch'
        ? `:86:/EREF/E2E-${l.ref}/NAME/${l.name}/REMI/${l.memo}`
        : `:86:166?00GUTSCHRIFT?20EREF+E2E-${l.ref}?21SVWZ+${l.memo}?32${l.name}`,
    );
  }
  out.push(bal('62F', closingOf(s), s.end), '-');
  return `${out.join('\r\n')}\r\n`;
}

/** CSV as the "generic-signed-ymd" profile reads it (Date, Description, Amount, Reference). */
export function writeCsv(s: GenStatement, opts: { delimiter?: string; dmy?: boolean } = {}): string {
  const d = opts.delimiter ?? ',';
  const q = (v: string) => `"${v.replace(/"/g, '""')}"`;
  const date = (iso: string) =>
    opts.dmy ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : iso;
  const rows = s.lines.map((l) =>
    [date(l.date), q(l.memo), formatMinor(l.amountMinor, s.currency), q(l.ref)].join(d),
  );
  return `${['Date', 'Description', 'Amount', 'Reference'].join(d)}\r\n${rows.join('\r\n')}\r\n`;
}
