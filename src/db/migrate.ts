import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { Db } from './types.js';

/**
 * The one migrator. Applies drizzle-kit's SQL files from migrations/ in journal order, each once, under a
 * Postgres advisory lock so several machines can boot at once. Tables are created in the connection's
 * current schema (schema-qualified references that drizzle-kit writes as "public". are resolved through
 * the search path), which lets every test file run in a fresh schema.
 */
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');
const LOCK_KEY = 4_711_2026; // any constant: one migrator at a time per database

interface Journal {
  entries: { idx: number; tag: string }[];
}

export function readMigrations(dir = MIGRATIONS_DIR): { tag: string; statements: string[] }[] {
  const journal = JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8')) as Journal;
  return [...journal.entries]
    .sort((a, b) => a.idx - b.idx)
    .map((e) => ({
      tag: e.tag,
      statements: readFileSync(join(dir, `${e.tag}.sql`), 'utf8')
        .split('--> statement-breakpoint')
        .map((s) => s.replaceAll('"public".', '').trim())
        .filter(Boolean),
    }));
}

export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<{ applied: string[] }> {
  const migrations = readMigrations(dir);
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.execute(
      sql`create table if not exists ledgerbridge_migrations (tag text primary key, applied_at timestamptz not null default now())`,
    );
    const done = new Set(
      rowsOf<{ tag: string }>(await tx.execute(sql`select tag from ledgerbridge_migrations`)).map(
        (r) => r.tag,
      ),
    );
    for (const m of migrations) {
      if (done.has(m.tag)) continue;
      for (const stmt of m.statements) await tx.execute(sql.raw(stmt));
      await tx.execute(sql`insert into ledgerbridge_migrations (tag) values (${m.tag})`);
      applied.push(m.tag);
    }
  });
  return { applied };
}

/** Pending migrations (for /readyz). */
export async function pendingMigrations(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const all = readMigrations(dir).map((m) => m.tag);
  try {
    const done = new Set(
      rowsOf<{ tag: string }>(await db.execute(sql`select tag from ledgerbridge_migrations`)).map(
        (r) => r.tag,
      ),
    );
    return all.filter((t) => !done.has(t));
  } catch {
    return all;
  }
}

/** `db.execute` answers `{ rows }` on PGlite and an array on postgres-js. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}
