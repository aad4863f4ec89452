import { z } from '@hono/zod-openapi';
import { AppError } from '../lib/errors.js';

/**
 * Every list in /api/v1 pages the same way: `?limit=&cursor=`, answering `{ items, nextCursor }`.
 * The cursor is opaque to clients: the sort key and id of the last item, base64url JSON.
 */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ example: 50 }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});
export type PageQuery = z.infer<typeof PageQuery>;

export interface Keyset {
  /** The sort key of the last item (ISO timestamp or text). */
  k: string;
  id: string;
}

export function encodeCursor(k: Keyset): string {
  return Buffer.from(JSON.stringify(k)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Keyset | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Keyset>;
    if (typeof v.k === 'string' && typeof v.id === 'string') return { k: v.k, id: v.id };
  } catch {
    /* fall through */
  }
  throw new AppError('validation_failed', 'cursor is not one this API issued', {
    fields: [{ path: 'cursor', message: 'invalid cursor' }],
  });
}

/** Take limit+1 rows, answer limit and the cursor of the last one when there are more. */
export function pageOf<T>(
  rows: T[],
  limit: number,
  key: (row: T) => Keyset,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}

export const pageSchema = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
