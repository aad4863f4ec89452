import { eq, sql } from 'drizzle-orm';
import { CurrencyCode, type Firm, isValidTimeZone } from '../../canonical/index.js';
import { AppError } from '../../lib/errors.js';
import { firms } from '../schema/index.js';
import type { DbOrTx } from '../types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function createFirm(
  db: DbOrTx,
  input: { name: string; baseCurrency: string; timezone: string },
): Promise<Firm> {
  const name = input.name.trim();
  if (!name)
    throw new AppError('validation_failed', 'a firm needs a name', {
      fields: [{ path: 'name', message: 'required' }],
    });
  const cur = CurrencyCode.safeParse(input.baseCurrency.toUpperCase());
  if (!cur.success) {
    throw new AppError('validation_failed', `base currency "${input.baseCurrency}" is not an ISO 4217 code`, {
      fields: [{ path: 'baseCurrency', message: 'an ISO 4217 code such as USD' }],
    });
  }
  if (!isValidTimeZone(input.timezone)) {
    throw new AppError('validation_failed', `time zone "${input.timezone}" is not an IANA zone`, {
      fields: [{ path: 'timezone', message: 'an IANA zone such as America/New_York' }],
    });
  }
  const existing = await findFirm(db, name);
  if (existing) throw new AppError('conflict', `a firm named "${name}" already exists`);
  const [row] = await db
    .insert(firms)
    .values({ name, baseCurrency: cur.data, timezone: input.timezone })
    .returning();
  return toFirm(row!);
}

/** By id or by name (case-insensitive). */
export async function findFirm(db: DbOrTx, idOrName: string): Promise<Firm | null> {
  const rows = UUID.test(idOrName)
    ? await db.select().from(firms).where(eq(firms.id, idOrName))
    : await db.select().from(firms).where(sql`lower(${firms.name}) = lower(${idOrName.trim()})`);
  return rows[0] ? toFirm(rows[0]) : null;
}

export async function requireFirm(db: DbOrTx, idOrName: string): Promise<Firm> {
  const f = await findFirm(db, idOrName);
  if (!f) throw new AppError('not_found', `no firm "${idOrName}" (ledgerbridge firms lists them)`);
  return f;
}

export async function listFirms(db: DbOrTx): Promise<Firm[]> {
  return (await db.select().from(firms).orderBy(firms.createdAt, firms.id)).map(toFirm);
}

function toFirm(r: typeof firms.$inferSelect): Firm {
  return { id: r.id, name: r.name, baseCurrency: r.baseCurrency, timezone: r.timezone };
}
