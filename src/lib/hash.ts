import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** JSON with sorted keys, so the same content always hashes the same. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

export const sha256Hex = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

export const contentHash = (value: unknown): string => sha256Hex(stableStringify(value));

export const hmacSha256 = (key: string | Buffer, data: string | Buffer, encoding: 'hex' | 'base64' = 'hex') =>
  createHmac('sha256', key).update(data).digest(encoding);

/** Constant-time comparison of two strings (different lengths compare unequal without leaking where). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
