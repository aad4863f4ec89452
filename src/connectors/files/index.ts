import { decodeText } from './decode.js';
import { looksLikeOfx, parseOfx } from './ofx.js';
import type { CsvProfileInput } from './profile.js';
import { type FileFormat, fileRejected, type ParsedFile } from './types.js';

export type { FileFormat, Mismatch, ParsedFile, ParsedStatement } from './types.js';
export { FILE_FORMATS, fileRejected, isFileFormat } from './types.js';

export interface ParseOptions {
  format?: FileFormat | undefined;
  fileName?: string | undefined;
  /** CSV: a shipped profile's name or a profile (a firm's own file). */
  profile?: string | CsvProfileInput | undefined;
}

/** Which format a file is in, from its content (and, for CSV, its name). */
export function detectFormat(text: string, fileName?: string): FileFormat | null {
  if (looksLikeOfx(text)) return 'ofx';
  if (fileName && /\.(ofx|qfx|qbo)$/i.test(fileName)) return 'ofx';
  return null;
}

/** Parse a statement file: bytes in, statements of canonical bank lines out (or a file_rejected error). */
export function parseStatementFile(content: Uint8Array, opts: ParseOptions = {}): ParsedFile {
  const text = decodeText(content);
  const format = opts.format ?? detectFormat(text, opts.fileName);
  if (!format) throw fileRejected('unknown', 'start of file', 'not a statement format this importer knows');
  switch (format) {
    case 'ofx':
      return parseOfx(text);
    case 'camt053':
    case 'bai2':
    case 'mt940':
    case 'csv':
      throw fileRejected(format, 'start of file', `${format} is not supported yet`);
    default: {
      const never: never = format;
      throw fileRejected('unknown', 'start of file', `unknown format ${String(never)}`);
    }
  }
}
