import type { BankLine } from '../../canonical/bank-line.js';
import type { IsoDate } from '../../canonical/dates.js';
import { AppError } from '../../lib/errors.js';

export const FILE_FORMATS = ['ofx', 'camt053', 'bai2', 'mt940', 'csv'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** A control figure that does not hold (or a check that failed); `--allow-unbalanced` imports anyway. */
export interface Mismatch {
  check: string;
  /** Where: "line 12", "Stmt[1]/Bal[CLBD]", "record 98" … */
  place: string;
  message: string;
  currency: string;
  /** Signed: what the file states minus what its lines add up to. */
  differenceMinor: number | null;
}

/** One account's statement inside a file. */
export interface ParsedStatement {
  accountNumber: string | null;
  iban: string | null;
  currency: string;
  /** The bank's id for the statement (MT940 :20:/:28C:, CAMT Stmt/Id …), when it has one. */
  statementRef: string | null;
  periodStart: IsoDate | null;
  periodEnd: IsoDate | null;
  openingBalanceMinor: number | null;
  closingBalanceMinor: number | null;
  lines: BankLine[];
  mismatches: Mismatch[];
}

export interface ParsedFile {
  format: FileFormat;
  /** e.g. OFX "102", CAMT "001.08". */
  version: string | null;
  statements: ParsedStatement[];
}

/** The file cannot be read, or breaks its format's rules: rejected whole, nothing stored. */
export function fileRejected(format: FileFormat | 'unknown', place: string, reason: string): AppError {
  return new AppError('file_rejected', `${format} file rejected at ${place}: ${reason}`, {
    details: { format, place, reason },
  });
}

export function isFileFormat(s: string): s is FileFormat {
  return (FILE_FORMATS as readonly string[]).includes(s);
}
