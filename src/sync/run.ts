import { and, eq, sql } from 'drizzle-orm';
import type { ConnCtx, Connector, Cursor, EntityKind, RecordError } from '../connectors/connector.js';
import { raiseException } from '../db/repos/exceptions.js';
import { connections, syncCursors, syncErrors, syncRuns } from '../db/schema/index.js';
import type { Db, DbOrTx } from '../db/types.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { redactText } from '../lib/redact.js';
import { checkBalances } from './balances.js';
import { syncBankAccounts } from './bank-accounts.js';
import { upsertRecords } from './upsert.js';

export interface KindStats {
  pulled: number;
  inserted: number;
  updated: number;
  unchanged: number;
  errors: number;
}

export interface SyncReport {
  runId: string;
  status: 'succeeded' | 'failed';
  kinds: Partial<Record<EntityKind, KindStats>>;
  /** What stopped the run. `status` and `reason` are the provider's HTTP status and error head, when known. */
  error?: { code: string; message: string; status?: number; reason?: string };
}

/**
 * Pull every entity kind of one connection, page by page. Each page lands in one transaction together
 * with its cursor, so a crash, a 429 or an outage resumes at the page that did not land. Records that
 * could not be mapped become sync errors (and a `sync_error` exception) naming the record and field; the
 * rest of their page still lands.
 */
export async function runSync(
  deps: { db: Db; logger: Logger },
  connector: Connector,
  ctx: ConnCtx,
  opts: { kinds?: readonly EntityKind[]; trigger?: string; full?: boolean } = {},
): Promise<SyncReport> {
  const { db } = deps;
  const scope = { firmId: ctx.firmId, connectionId: ctx.connectionId };
  const [run] = await db
    .insert(syncRuns)
    .values({ ...scope, status: 'running', trigger: opts.trigger ?? 'manual' })
    .returning({ id: syncRuns.id });
  const runId = run!.id;
  const report: SyncReport = { runId, status: 'succeeded', kinds: {} };
  try {
    for (const kind of opts.kinds ?? connector.kinds) {
      const stats: KindStats = { pulled: 0, inserted: 0, updated: 0, unchanged: 0, errors: 0 };
      report.kinds[kind] = stats;
      let cursor = opts.full ? null : await loadCursor(db, ctx.connectionId, kind);
      for (let pageNo = 0; pageNo < 100_000; pageNo++) {
        const page = await connector.pull(ctx, kind, cursor);
        await db.transaction(async (tx) => {
          const s = await upsertRecords(tx, scope, page.records);
          stats.pulled += page.records.length + page.errors.length;
          stats.inserted += s.inserted;
          stats.updated += s.updated;
          stats.unchanged += s.unchanged;
          stats.errors += page.errors.length;
          await recordSyncErrors(tx, scope, runId, page.errors);
          if (page.next) await saveCursor(tx, scope, kind, page.next);
        });
        if (page.done || !page.next) break;
        cursor = page.next;
      }
    }
    await syncBankAccounts(db, scope);
    await checkBalances(db, scope);
  } catch (e) {
    report.status = 'failed';
    const code = e instanceof AppError ? e.code : 'internal';
    report.error = { code, message: redactText(e instanceof Error ? e.message : String(e)) };
    const d = e instanceof AppError ? (e.details ?? {}) : {};
    if (typeof d.status === 'number') report.error.status = d.status;
    if (typeof d.reason === 'string') report.error.reason = d.reason;
    deps.logger.warn(
      { connectionId: ctx.connectionId, code, err: e },
      'sync stopped; it resumes from the last page that landed',
    );
  }
  await db
    .update(syncRuns)
    .set({
      status: report.status,
      stats: report.kinds,
      error: report.error?.message ?? null,
      finishedAt: new Date(),
    })
    .where(eq(syncRuns.id, runId));
  await db
    .update(connections)
    .set({
      ...(report.status === 'succeeded'
        ? { lastSyncedAt: new Date(), lastError: null }
        : { lastError: report.error?.message ?? null }),
      updatedAt: new Date(),
    })
    .where(eq(connections.id, ctx.connectionId));
  return report;
}

export async function loadCursor(db: Db, connectionId: string, entity: string): Promise<Cursor | null> {
  const [row] = await db
    .select({ cursor: syncCursors.cursor })
    .from(syncCursors)
    .where(and(eq(syncCursors.connectionId, connectionId), eq(syncCursors.entity, entity)));
  return (row?.cursor as Cursor | undefined) ?? null;
}

export async function saveCursor(
  db: Pick<Db, 'insert'>,
  scope: { firmId: string; connectionId: string },
  entity: string,
  cursor: Cursor,
): Promise<void> {
  await db
    .insert(syncCursors)
    .values({ ...scope, entity, cursor })
    .onConflictDoUpdate({
      target: [syncCursors.connectionId, syncCursors.entity],
      set: { cursor, updatedAt: sql`now()` },
    });
}

/**
 * Records a pull could not take in: a sync_errors row each (which record, which field, why) and a
 * `sync_error` exception for a person, raised once per record and field.
 */
export async function recordSyncErrors(
  db: DbOrTx,
  scope: { firmId: string; connectionId: string },
  syncRunId: string | null,
  errors: readonly RecordError[],
): Promise<void> {
  for (const e of errors) {
    const message = redactText(e.message);
    await db.insert(syncErrors).values({
      ...scope,
      syncRunId,
      entity: e.entity,
      externalId: e.externalId,
      field: e.field,
      message,
      raw: (e.raw ?? null) as object,
    });
    await raiseException(db, {
      firmId: scope.firmId,
      kind: 'sync_error',
      subjectKind: e.entity,
      subjectId: e.externalId ?? '(unknown)',
      reason: `${e.entity} ${e.externalId ?? '(no id)'} could not be taken in: ${e.field ? `${e.field}: ` : ''}${message}`,
      details: { connectionId: scope.connectionId, field: e.field },
      dedupeKey: `sync_error:${scope.connectionId}:${e.entity}:${e.externalId ?? ''}:${e.field ?? ''}`,
    });
  }
}
