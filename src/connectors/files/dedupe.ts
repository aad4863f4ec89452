import { sha256Hex } from '../../lib/hash.js';

/** Text compared for dedupe: case, spacing and punctuation do not make a line new. */
export function normaliseText(s: string | null | undefined): string {
  return (s ?? '')
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * A synthetic dedupe key for formats without a bank id per line: account, date, amount, normalised text,
 * running balance (when the file has one) and the occurrence index among identical lines of the file.
 */
export class SyntheticKeys {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly prefix: string,
    private readonly account: string,
  ) {}

  next(parts: {
    date: string;
    amountMinor: number;
    text: string | null;
    balanceMinor?: number | null;
  }): string {
    const base = [
      this.account,
      parts.date,
      String(parts.amountMinor),
      normaliseText(parts.text),
      parts.balanceMinor == null ? '' : String(parts.balanceMinor),
    ].join('|');
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return `${this.prefix}:${sha256Hex(`${base}|${n}`).slice(0, 32)}`;
  }
}
