import { looksLikeBai2, parseBai2 } from './bai2.js';
import { looksLikeCamt053, parseCamt053 } from './camt053.js';
import { looksLikeCsv, parseCsv } from './csv.js';
import { decodeText } from './decode.js';
import { looksLikeMt940, parseMt940 } from './mt940.js';
import { looksLikeOfx, parseOfx } from './ofx.js';
import type { CsvProfileInput } from './profile.js';
import { resolveProfile } from './profiles.js';
import { type FileFormat, fileRejected, type ParsedFile } from './types.js';

export type { FileFormat, Mismatch, ParsedFile, ParsedStatement } from './types.js';
export { FILE_FORMATS, fileRejected, isFileFormat } from './types.js';

export interface ParseOptions {
  format?: FileFormat | undefined;
  fileName?: string | undefined;
  /** CSV: a shipped profile's name or a profile (a firm's own file). */
  profile?: string | CsvProfileInput | undefined;
}

/** Which format a file is in, from its content (and its name as a last resort). */
export function detectFormat(text: string, fileName?: string): FileFormat | null {
  const head = text.slice(0, 4000);
  if (looksLikeOfx(head)) return 'ofx';
  if (/^\s*(<\?xml[^>]*>\s*)?</.test(head) && looksLikeCamt053(head)) return 'camt053';
  if (looksLikeBai2(head)) return 'bai2';
  if (looksLikeMt940(head)) return 'mt940';
  if (fileName && /\.(ofx|qfx|qbo)$/i.test(fileName)) return 'ofx';
  if (fileName && /\.(bai|bai2)$/i.test(fileName)) return 'bai2';
  if (fileName && /\.(sta|mt940|940)$/i.test(fileName)) return 'mt940';
  if (looksLikeCsv(text, fileName)) return 'csv';
  return null;
}

/** Parse a statement file: bytes in, statements of canonical bank lines out (or a file_rejected error). */
export function parseStatementFile(content: Uint8Array, opts: ParseOptions = {}): ParsedFile {
  if (content.byteLength === 0)
    throw fileRejected(opts.format ?? 'unknown', 'start of file', 'the file is empty');
  const text = decodeText(content);
  const format = opts.format ?? detectFormat(text, opts.fileName);
  if (!format)
    throw fileRejected(
      'unknown',
      'start of file',
      'not a statement format this importer knows (OFX/QFX, CAMT.053, BAI2, MT940, CSV): pass --format',
    );
  switch (format) {
    case 'ofx':
      return parseOfx(text);
    case 'camt053':
      return parseCamt053(text);
    case 'bai2':
      return parseBai2(text);
    case 'mt940':
      return parseMt940(text);
    case 'csv':
      return parseCsv(text, opts.profile === undefined ? null : resolveProfile(opts.profile));
    default: {
      const never: never = format;
      throw fileRejected('unknown', 'start of file', `unknown format ${String(never)}`);
    }
  }
}
