import { and, asc, desc, eq, gt, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { BankLine } from '../../canonical/bank-line.js';
import { formatMinor } from '../../canonical/money.js';
import {
  type FileFormat,
  fileRejected,
  type Mismatch,
  type ParsedStatement,
  parseStatementFile,
} from '../../connectors/files/index.js';
import type { CsvProfileInput } from '../../connectors/files/profile.js';
import { AppError } from '../../lib/errors.js';
import { sha256Hex } from '../../lib/hash.js';
import { bankAccounts, bankLines, bankStatements } from '../schema/index.js';
import type { Db, DbOrTx } from '../types.js';
import { audit } from './audit.js';
import { raiseException } from './exceptions.js';

export type BankAccountRow = typeof bankAccounts.$inferSelect;
export type BankLineRow = typeof bankLines.$inferSelect;
export type BankStatementRow = typeof bankStatements.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Account numbers and IBANs compare without spaces, dashes and case. */
export const normaliseAccountNumber = (s: string): string => s.replace(/[\s-]/g, '').toUpperCase();
const normSql = (col: typeof bankAccounts.accountNumber | typeof bankAccounts.iban) =>
  sql`upper(regexp_replace(${col}, '[[:space:]-]', '', 'g'))`;

export async function createBankAccount(
  db: DbOrTx,
  input: {
    firmId: string;
    name: string;
    currency: string;
    accountNumber?: string | null;
    iban?: string | null;
    trust?: boolean;
  },
): Promise<BankAccountRow> {
  const [row] = await db
    .insert(bankAccounts)
    .values({
      firmId: input.firmId,
      name: input.name,
      currency: input.currency,
      accountNumber: input.accountNumber ?? null,
      iban: input.iban ?? null,
      trust: input.trust ?? false,
    })
    .returning();
  return row!;
}

/** A firm's bank account by id, account number or IBAN (spaces and dashes ignored). */
export async function findBankAccount(
  db: DbOrTx,
  firmId: string,
  idOrNumber: string,
): Promise<BankAccountRow | null> {
  if (UUID.test(idOrNumber)) {
    const [row] = await db
      .select()
      .from(bankAccounts)
      .where(and(eq(bankAccounts.firmId, firmId), eq(bankAccounts.id, idOrNumber)));
    if (row) return row;
  }
  const n = normaliseAccountNumber(idOrNumber);
  if (!n) return null;
  const rows = await db
    .select()
    .from(bankAccounts)
    .where(
      and(
        eq(bankAccounts.firmId, firmId),
        sql`(${normSql(bankAccounts.iban)} = ${n} or ${normSql(bankAccounts.accountNumber)} = ${n})`,
      ),
    )
    .limit(2);
  if (rows.length > 1)
    throw new AppError(
      'conflict',
      `several bank accounts of the firm have number ${idOrNumber}: name one by id`,
    );
  return rows[0] ?? null;
}

export async function listBankLines(
  db: DbOrTx,
  firmId: string,
  bankAccountId?: string,
): Promise<BankLineRow[]> {
  const conds = [eq(bankLines.firmId, firmId)];
  if (bankAccountId) conds.push(eq(bankLines.bankAccountId, bankAccountId));
  return db
    .select()
    .from(bankLines)
    .where(and(...conds))
    .orderBy(bankLines.bookingDate, bankLines.id);
}

/** A firm's imported statements, oldest first, keyset-paged by (imported at, id). */
export async function listStatements(
  db: DbOrTx,
  q: {
    firmId: string;
    bankAccountId?: string | undefined;
    limit: number;
    after?: { k: string; id: string } | null;
  },
): Promise<BankStatementRow[]> {
  const conds = [eq(bankStatements.firmId, q.firmId)];
  if (q.bankAccountId) conds.push(eq(bankStatements.bankAccountId, q.bankAccountId));
  if (q.after) {
    const at = new Date(q.after.k);
    conds.push(
      or(
        gt(bankStatements.importedAt, at),
        and(eq(bankStatements.importedAt, at), gt(bankStatements.id, q.after.id)),
      )!,
    );
  }
  return db
    .select()
    .from(bankStatements)
    .where(and(...conds))
    .orderBy(asc(bankStatements.importedAt), asc(bankStatements.id))
    .limit(q.limit);
}

export interface ImportStatementInput {
  firmId: string;
  /** Who imports: the API key or the CLI user; written to the audit log. */
  actor: string;
  content: Uint8Array;
  fileName?: string | undefined;
  format?: FileFormat | undefined;
  /** CSV: a shipped profile's name, or a profile object (a firm's own file, parsed). */
  profile?: string | CsvProfileInput | undefined;
  bankAccountId?: string | undefined;
  /** Use this account (number or IBAN) instead of the one the file names. */
  accountNumber?: string | undefined;
  /** Import even though the file's control figures do not add up; raises statement_unbalanced. */
  allowUnbalanced?: boolean | undefined;
  /** No bank account matches the file's: create one instead of refusing. */
  createAccount?: boolean | undefined;
  /** More for the audit entry (the API key's id …). */
  auditDetails?: Record<string, unknown> | undefined;
}

export interface ImportedStatement {
  bankAccountId: string;
  statementId: string;
  accountNumber: string | null;
  iban: string | null;
  linesRead: number;
  linesNew: number;
  linesKnown: number;
  /** The file was imported before: no new statement row. */
  alreadyImported: boolean;
  mismatches: Mismatch[];
  exceptionId: string | null;
}

export interface ImportResult {
  format: FileFormat;
  bankAccountId: string;
  statementId: string;
  linesRead: number;
  linesNew: number;
  linesKnown: number;
  statements: ImportedStatement[];
}

/**
 * Import a statement file: parse and check it whole, then in one transaction store each statement once and
 * each line once (unique firm + account + dedupe key), raise statement_unbalanced where allowed, and audit.
 * A file that cannot be read or whose figures do not hold (without allowUnbalanced) stores nothing.
 */
export async function importStatement(db: Db, input: ImportStatementInput): Promise<ImportResult> {
  const parsed = parseStatementFile(input.content, {
    format: input.format,
    fileName: input.fileName,
    profile: input.profile,
  });
  const fileHash = sha256Hex(Buffer.from(input.content));
  const fileAccounts = [...new Set(parsed.statements.map((s) => s.iban ?? s.accountNumber ?? ''))];
  if ((input.bankAccountId || input.accountNumber) && fileAccounts.length > 1)
    throw new AppError(
      'validation_failed',
      `the file holds statements of ${fileAccounts.length} accounts (${fileAccounts.join(', ')}): ` +
        'an account given by the caller applies to a single-account file only',
      { fields: [{ path: 'account', message: 'only for a file of one account' }] },
    );
  return db.transaction(async (tx) => {
    const accounts: BankAccountRow[] = [];
    for (const st of parsed.statements)
      accounts.push(await resolveAccount(tx, input, parsed.format, st, parsed.statements.length));
    const sourceKeys = parsed.statements.map((_, i) => `${fileHash}:${i}`);
    const allMismatches: Mismatch[][] = [];
    for (const [i, st] of parsed.statements.entries()) {
      const acct = accounts[i]!;
      if (acct.currency !== st.currency)
        throw fileRejected(
          parsed.format,
          statementPlace(st, i),
          `the statement is in ${st.currency} but bank account "${acct.name}" is in ${acct.currency}`,
        );
      const ms = [...st.mismatches];
      if (parsed.format === 'ofx') {
        const c = await continuity(tx, input.firmId, acct.id, st, sourceKeys[i]!, i);
        if (c) ms.push(c);
      }
      allMismatches.push(ms);
    }
    const firstBad = allMismatches.flat()[0];
    if (firstBad && !input.allowUnbalanced) {
      const all = allMismatches.flat();
      throw new AppError(
        'file_rejected',
        `${parsed.format} file rejected at ${firstBad.place}: ${firstBad.message}` +
          (all.length > 1 ? ` (and ${all.length - 1} more)` : ''),
        {
          details: {
            format: parsed.format,
            place: firstBad.place,
            reason: firstBad.message,
            check: firstBad.check,
            differenceMinor: firstBad.differenceMinor,
            mismatches: all,
          },
        },
      );
    }

    const out: ImportedStatement[] = [];
    for (const [i, st] of parsed.statements.entries()) {
      const acct = accounts[i]!;
      const mismatches = allMismatches[i]!;
      const inserted = await tx
        .insert(bankStatements)
        .values({
          firmId: input.firmId,
          bankAccountId: acct.id,
          format: parsed.format,
          fileName: input.fileName ?? null,
          fileHash,
          sourceKey: sourceKeys[i]!,
          periodStart: st.periodStart,
          periodEnd: st.periodEnd,
          openingBalanceMinor: st.openingBalanceMinor,
          closingBalanceMinor: st.closingBalanceMinor,
          linesRead: st.lines.length,
          linesNew: 0,
          importedBy: input.actor,
          details: {
            version: parsed.version,
            statementRef: st.statementRef,
            accountNumber: st.accountNumber,
            iban: st.iban,
            index: i,
            mismatches,
          },
        })
        .onConflictDoNothing({
          target: [bankStatements.firmId, bankStatements.bankAccountId, bankStatements.sourceKey],
        })
        .returning({ id: bankStatements.id });
      let statementId = inserted[0]?.id;
      const alreadyImported = !statementId;
      if (!statementId) {
        const [row] = await tx
          .select({ id: bankStatements.id })
          .from(bankStatements)
          .where(
            and(
              eq(bankStatements.firmId, input.firmId),
              eq(bankStatements.bankAccountId, acct.id),
              eq(bankStatements.sourceKey, sourceKeys[i]!),
            ),
          );
        statementId = row!.id;
      }
      const linesNew = await insertLines(tx, input.firmId, acct.id, statementId, st.lines);
      if (!alreadyImported)
        await tx.update(bankStatements).set({ linesNew }).where(eq(bankStatements.id, statementId));
      let exceptionId: string | null = null;
      if (mismatches.length) {
        const ex = await raiseException(tx, {
          firmId: input.firmId,
          kind: 'statement_unbalanced',
          subjectKind: 'bank_statement',
          subjectId: statementId,
          reason: `${input.fileName ?? parsed.format} (${acct.name}): ${mismatches.map((m) => m.message).join('; ')}`,
          details: { format: parsed.format, fileName: input.fileName ?? null, mismatches },
        });
        exceptionId = ex.id;
      }
      const item: ImportedStatement = {
        bankAccountId: acct.id,
        statementId,
        accountNumber: st.accountNumber,
        iban: st.iban,
        linesRead: st.lines.length,
        linesNew,
        linesKnown: st.lines.length - linesNew,
        alreadyImported,
        mismatches,
        exceptionId,
      };
      await audit(tx, {
        firmId: input.firmId,
        actor: input.actor,
        action: 'bank_statement.import',
        subjectKind: 'bank_statement',
        subjectId: statementId,
        details: {
          format: parsed.format,
          fileName: input.fileName ?? null,
          fileHash,
          bankAccountId: acct.id,
          linesRead: item.linesRead,
          linesNew: item.linesNew,
          linesKnown: item.linesKnown,
          alreadyImported,
          allowUnbalanced: Boolean(input.allowUnbalanced),
          mismatches,
          ...input.auditDetails,
        },
      });
      out.push(item);
    }
    const first = out[0]!;
    const sum = (k: 'linesRead' | 'linesNew' | 'linesKnown') => out.reduce((t, s) => t + s[k], 0);
    return {
      format: parsed.format,
      bankAccountId: first.bankAccountId,
      statementId: first.statementId,
      linesRead: sum('linesRead'),
      linesNew: sum('linesNew'),
      linesKnown: sum('linesKnown'),
      statements: out,
    };
  });
}

const statementPlace = (st: ParsedStatement, i: number) =>
  st.statementRef
    ? `statement ${st.statementRef}`
    : `statement ${i + 1} (account ${st.iban ?? st.accountNumber ?? '?'})`;

async function resolveAccount(
  tx: DbOrTx,
  input: ImportStatementInput,
  format: FileFormat,
  st: ParsedStatement,
  statementCount: number,
): Promise<BankAccountRow> {
  if (input.bankAccountId) {
    const acct = await findBankAccount(tx, input.firmId, input.bankAccountId);
    if (!acct) throw new AppError('not_found', `bank account ${input.bankAccountId} not found for this firm`);
    return acct;
  }
  const wanted = input.accountNumber
    ? [input.accountNumber]
    : [...new Set([st.iban, st.accountNumber].filter((x): x is string => !!x))];

  for (const w of wanted) {
    const acct = await findBankAccount(tx, input.firmId, w);
    if (acct) return acct;
  }
  if (!wanted.length)
    throw new AppError(
      'validation_failed',
      `the ${format} file names no account: name the bank account (--account id, number or IBAN)`,
      { fields: [{ path: 'account', message: 'required for a file that names no account' }] },
    );
  const named = wanted.join(' / ');
  if (input.createAccount && !input.accountNumber) {
    return createBankAccount(tx, {
      firmId: input.firmId,
      name: `${format.toUpperCase()} ${st.iban ?? st.accountNumber}`,
      currency: st.currency,
      accountNumber: st.accountNumber,
      iban: st.iban,
    });
  }
  throw new AppError(
    'validation_failed',
    `no bank account of this firm matches the ${statementCount > 1 ? 'statement' : 'file'}'s account (${named}): ` +
      'add the account, name one with --account, or pass --create-account',
    {
      fields: [{ path: 'account', message: `no bank account with number or IBAN ${named}` }],
      details: { accountNumber: st.accountNumber, iban: st.iban, currency: st.currency },
    },
  );
}

/**
 * OFX carries no opening balance: where the account's previous statement ended before this one begins,
 * its closing balance plus this statement's lines must give this statement's closing balance.
 */
async function continuity(
  tx: DbOrTx,
  firmId: string,
  bankAccountId: string,
  st: ParsedStatement,
  sourceKey: string,
  index: number,
): Promise<Mismatch | null> {
  if (st.closingBalanceMinor === null || !st.periodStart) return null;
  const [prev] = await tx
    .select()
    .from(bankStatements)
    .where(
      and(
        eq(bankStatements.firmId, firmId),
        eq(bankStatements.bankAccountId, bankAccountId),
        isNotNull(bankStatements.closingBalanceMinor),
        lt(bankStatements.periodEnd, st.periodStart),
        sql`${bankStatements.sourceKey} is distinct from ${sourceKey}`,
      ),
    )
    .orderBy(desc(bankStatements.periodEnd), desc(bankStatements.importedAt))
    .limit(1);
  if (!prev || prev.closingBalanceMinor === null) return null;
  const expected = prev.closingBalanceMinor + st.lines.reduce((t, l) => t + l.amountMinor, 0);
  const diff = st.closingBalanceMinor - expected;
  if (diff === 0) return null;
  return {
    check: 'continuity',
    place: `statement ${index + 1} LEDGERBAL`,
    message:
      `closing balance ${formatMinor(st.closingBalanceMinor, st.currency)} ≠ previous statement's closing ` +
      `${formatMinor(prev.closingBalanceMinor, st.currency)} (to ${prev.periodEnd}) + lines ` +
      `= ${formatMinor(expected, st.currency)}: off by ${formatMinor(diff, st.currency)} ${st.currency}`,
    currency: st.currency,
    differenceMinor: diff,
  };
}

async function insertLines(
  tx: DbOrTx,
  firmId: string,
  bankAccountId: string,
  statementId: string,
  lines: BankLine[],
): Promise<number> {
  let n = 0;
  for (let i = 0; i < lines.length; i += 500) {
    const chunk = lines.slice(i, i + 500);
    const rows = await tx
      .insert(bankLines)
      .values(
        chunk.map((l) => ({
          firmId,
          bankAccountId,
          statementId,
          dedupeKey: l.dedupeKey,
          bookingDate: l.bookingDate,
          valueDate: l.valueDate,
          amountMinor: l.amountMinor,
          currency: l.currency,
          counterpartyName: l.counterpartyName,
          counterpartyAccount: l.counterpartyAccount,
          endToEndId: l.endToEndId,
          remittance: l.remittance,
          checkNumber: l.checkNumber,
          bankReference: l.bankReference,
          transactionCode: l.transactionCode,
          raw: (l.raw ?? {}) as Record<string, unknown>,
          origin: 'statement',
          originRef: statementId,
        })),
      )
      .onConflictDoNothing({ target: [bankLines.firmId, bankLines.bankAccountId, bankLines.dedupeKey] })
      .returning({ id: bankLines.id });
    n += rows.length;
  }
  return n;
}
