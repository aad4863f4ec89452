import { and, eq, inArray, sql } from 'drizzle-orm';
import { accessTokenFor, reportAuthFailure } from '../../connections/index.js';
import type { CanonicalRecord, ConnCtx, EntityKind, RecordError } from '../../connectors/connector.js';
import {
  createQboConnector,
  kindOfEntity,
  type QboConnector,
  type QboEntity,
} from '../../connectors/qbo/connector.js';
import { type PushResult, pushToQbo, type QboWrite, type WriteStore } from '../../connectors/qbo/push.js';
import { rowsOf } from '../../db/migrate.js';
import { raiseException } from '../../db/repos/exceptions.js';
import {
  accounts,
  bankTransactions,
  connections,
  contacts,
  creditNotes,
  firms,
  invoices,
  items,
  outboundWrites,
  payments,
  syncErrors,
  timeEntries,
} from '../../db/schema/index.js';
import type { Db, DbOrTx } from '../../db/types.js';
import type { AppDeps } from '../../http/deps.js';
import { AppError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { redactText } from '../../lib/redact.js';
import { runSync, type SyncReport } from '../../sync/run.js';
import { upsertRecords } from '../../sync/upsert.js';
import { type QboEntityChange, wireQboWebhooks } from '../../webhooks/accounting.js';

/**
 * The qbo area's glue to storage (the one file here that touches the database and the sync engine):
 * the connection context, a sync that also looks for payments orphaned by a void, the webhook
 * processing (each entity change → a targeted pull) and the write side's record in outbound_writes.
 */
export interface QboServices {
  connector?: QboConnector;
  /** Token source override (tests, demo); default: the connections area's grant refresh. */
  accessToken?: (connectionId: string) => () => Promise<string>;
}

type Deps = Pick<AppDeps, 'db' | 'logger' | 'clock' | 'config'> & { services?: Record<string, unknown> };

const services = (deps: Deps): QboServices => (deps.services?.qbo as QboServices | undefined) ?? {};

const connectors = new Map<string, QboConnector>();
export function qboConnectorFor(deps: Deps): QboConnector {
  const own = services(deps).connector;
  if (own) return own;
  const env = deps.config.QBO_ENVIRONMENT;
  let c = connectors.get(env);
  if (!c) {
    c = createQboConnector({ environment: env, clock: deps.clock });
    connectors.set(env, c);
  }
  return c;
}

export async function qboConnCtx(
  deps: Deps,
  connectionId: string,
  logger: Logger = deps.logger,
): Promise<ConnCtx> {
  const [row] = await deps.db
    .select({ c: connections, f: firms })
    .from(connections)
    .innerJoin(firms, eq(firms.id, connections.firmId))
    .where(eq(connections.id, connectionId));
  if (!row || row.c.provider !== 'qbo')
    throw new AppError('not_found', `QBO connection ${connectionId} not found`);
  const token = services(deps).accessToken?.(connectionId) ?? accessTokenFor(deps, connectionId);
  return {
    firmId: row.c.firmId,
    connectionId,
    tenantId: row.c.tenantId,
    accessToken: token,
    logger,
    firm: { timezone: row.f.timezone, baseCurrency: row.f.baseCurrency },
  };
}

type Scope = { firmId: string; connectionId: string };

/**
 * A 401/403 goes to the connections area (it refreshes the grant, or marks the connection for
 * re-consent); when it hands back a fresh token the work is tried once more.
 */
async function withAuthRecovery<T>(deps: Deps, connectionId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof AppError) || (e.code !== 'provider_auth_expired' && e.code !== 'provider_forbidden'))
      throw e;
    const d = (e.details ?? {}) as {
      status?: number | null;
      faultType?: string | null;
      faultCodes?: string[];
    };
    const status = d.status ?? (e.code === 'provider_forbidden' ? 403 : 401);
    // the fault as Intuit sent it, rebuilt from what the error kept (never the raw body)
    const body = {
      Fault: { type: d.faultType ?? undefined, Error: (d.faultCodes ?? []).map((code) => ({ code })) },
    };
    const r = await reportAuthFailure(deps, { connectionId, status, body });
    if (r.action !== 'retry') throw e;
    return work();
  }
}

/** (payment, invoice) pairs of active provider payment applications. */
async function paymentLinks(db: DbOrTx, scope: Scope): Promise<Set<string>> {
  const rows = rowsOf<{ p: string; i: string }>(
    await db.execute(sql`select source_external_id as p, invoice_external_id as i from applications
      where firm_id = ${scope.firmId} and connection_id = ${scope.connectionId} and origin = 'provider'
        and source = 'payment' and status = 'active'`),
  );
  return new Set(rows.map((r) => `${r.p}\u0000${r.i}`));
}

/**
 * A payment left without its invoice by a void is money QBO now holds as unapplied credit: an
 * `orphaned_payment` exception for a person. Found two ways: a link that existed before the sync to an
 * invoice that is now voided, and a voided invoice still naming a live payment in its LinkedTxn.
 */
export async function detectOrphanedPayments(
  db: DbOrTx,
  scope: Scope,
  before: Set<string> = new Set(),
): Promise<number> {
  const voided = rowsOf<{ id: string; number: string | null; links: string | null }>(
    await db.execute(sql`select external_id as id, number, raw->'LinkedTxn' as links from invoices
      where firm_id = ${scope.firmId} and connection_id = ${scope.connectionId} and status = 'voided'`),
  );
  if (voided.length === 0) return 0;
  const byId = new Map(voided.map((v) => [v.id, v]));
  const pairs = new Set<string>();
  for (const key of before) {
    const [, inv] = key.split('\u0000');
    if (inv && byId.has(inv)) pairs.add(key);
  }
  for (const v of voided) {
    const links = (typeof v.links === 'string' ? JSON.parse(v.links) : v.links) as
      | { TxnId?: string; TxnType?: string }[]
      | null;
    for (const l of links ?? []) if (l.TxnType === 'Payment' && l.TxnId) pairs.add(`${l.TxnId}\u0000${v.id}`);
  }
  if (pairs.size === 0) return 0;
  const paymentIds = [...new Set([...pairs].map((k) => k.split('\u0000')[0]!))];
  const live = await db
    .select({
      id: payments.id,
      externalId: payments.externalId,
      amountMinor: payments.amountMinor,
      currency: payments.currency,
    })
    .from(payments)
    .where(
      and(
        eq(payments.firmId, scope.firmId),
        eq(payments.connectionId, scope.connectionId),
        inArray(payments.externalId, paymentIds),
        eq(payments.status, 'authorised'),
      ),
    );
  const liveById = new Map(live.map((p) => [p.externalId, p]));
  let raised = 0;
  for (const key of pairs) {
    const [pid = '', iid = ''] = key.split('\u0000');
    const p = liveById.get(pid);
    if (!p) continue;
    const inv = byId.get(iid);
    const res = await raiseException(db, {
      firmId: scope.firmId,
      kind: 'orphaned_payment',
      subjectKind: 'payment',
      subjectId: p.id,
      reason: `payment ${pid} was applied to invoice ${inv?.number ?? iid}, which was voided in QuickBooks: the money is now unapplied credit and needs a new home`,
      details: {
        connectionId: scope.connectionId,
        paymentExternalId: pid,
        invoiceExternalId: iid,
        amountMinor: p.amountMinor,
        currency: p.currency,
      },
      dedupeKey: `orphaned_payment:${scope.connectionId}:${pid}:${iid}`,
    });
    if (res.created) raised++;
  }
  return raised;
}

/** A full or incremental sync of one QBO connection, then the orphaned-payment check. */
export async function syncQbo(
  deps: { db: Db; logger: Logger },
  connector: QboConnector,
  ctx: ConnCtx,
  opts: { kinds?: readonly EntityKind[]; trigger?: string; full?: boolean } = {},
): Promise<SyncReport & { orphanedPayments: number }> {
  const scope = { firmId: ctx.firmId, connectionId: ctx.connectionId };
  const before = await paymentLinks(deps.db, scope);
  const report = await runSync(deps, connector, ctx, opts);
  const orphanedPayments = await detectOrphanedPayments(deps.db, scope, before);
  return { ...report, orphanedPayments };
}

/** Where a pulled entity's row lives, to compare its stored LastUpdatedTime with a notice's. */
const STORED: Partial<
  Record<
    QboEntity,
    {
      table:
        | typeof invoices
        | typeof payments
        | typeof creditNotes
        | typeof contacts
        | typeof accounts
        | typeof items
        | typeof bankTransactions
        | typeof timeEntries;
      ext: (id: string) => string;
    }
  >
> = {
  Invoice: { table: invoices, ext: (id) => id },
  Payment: { table: payments, ext: (id) => id },
  CreditMemo: { table: creditNotes, ext: (id) => id },
  Customer: { table: contacts, ext: (id) => id },
  Account: { table: accounts, ext: (id) => id },
  Item: { table: items, ext: (id) => id },
  Deposit: { table: bankTransactions, ext: (id) => `deposit:${id}` },
  Purchase: { table: bankTransactions, ext: (id) => `purchase:${id}` },
  TimeActivity: { table: timeEntries, ext: (id) => id },
};

async function storedUpdatedAt(
  db: Db,
  scope: Scope,
  entity: QboEntity,
  ids: string[],
): Promise<Map<string, number>> {
  const s = STORED[entity];
  const out = new Map<string, number>();
  if (!s || ids.length === 0) return out;
  const t = s.table;
  const rows = await db
    .select({ ext: t.externalId, at: sql<string | null>`${t.raw}->'MetaData'->>'LastUpdatedTime'` })
    .from(t)
    .where(
      and(
        eq(t.firmId, scope.firmId),
        eq(t.connectionId, scope.connectionId),
        inArray(t.externalId, ids.map(s.ext)),
      ),
    );
  const back = new Map(ids.map((id) => [s.ext(id), id]));
  for (const r of rows) if (r.at && back.has(r.ext)) out.set(back.get(r.ext)!, Date.parse(r.at));
  return out;
}

export interface EntityPullStats {
  fetched: number;
  skippedUnchanged: number;
  deleted: number;
  ignored: number;
  inserted: number;
  updated: number;
  errors: number;
}

/**
 * The webhook job handler's work: each entity change → a targeted pull of that entity (`Id IN (…)`), a
 * delete → a deletion record. A change no newer than what is stored (a replayed notification) is not
 * pulled again. Everything lands in one transaction, then the orphaned-payment check runs.
 */
export async function pullQboEntities(
  deps: Deps,
  connectionId: string,
  changes: QboEntityChange[],
): Promise<EntityPullStats> {
  return withAuthRecovery(deps, connectionId, () => pullEntities(deps, connectionId, changes));
}

async function pullEntities(
  deps: Deps,
  connectionId: string,
  changes: QboEntityChange[],
): Promise<EntityPullStats> {
  const ctx = await qboConnCtx(deps, connectionId);
  const connector = qboConnectorFor(deps);
  const scope = { firmId: ctx.firmId, connectionId };
  const stats: EntityPullStats = {
    fetched: 0,
    skippedUnchanged: 0,
    deleted: 0,
    ignored: 0,
    inserted: 0,
    updated: 0,
    errors: 0,
  };
  const byEntity = new Map<QboEntity, QboEntityChange[]>();
  for (const c of changes) {
    if (!kindOfEntity(c.entity)) {
      stats.ignored++;
      continue;
    }
    const e = c.entity as QboEntity;
    byEntity.set(e, [...(byEntity.get(e) ?? []), c]);
  }
  const records: CanonicalRecord[] = [];
  const errors: RecordError[] = [];
  for (const [entity, list] of byEntity) {
    const deletes = list.filter((c) => c.operation === 'Delete');
    for (const d of deletes) records.push(...connector.deletionRecords(entity, d.entityId));
    stats.deleted += deletes.length;
    const wanted = list.filter(
      (c) => c.operation !== 'Delete' && !deletes.some((d) => d.entityId === c.entityId),
    );
    const stored = await storedUpdatedAt(
      deps.db,
      scope,
      entity,
      wanted.map((c) => c.entityId),
    );
    const newest = new Map<string, number>();
    for (const c of wanted)
      newest.set(c.entityId, Math.max(newest.get(c.entityId) ?? 0, c.occurredAt.getTime()));
    const ids = [...newest]
      .filter(([id, at]) => !(stored.has(id) && stored.get(id)! >= at))
      .map(([id]) => id);
    stats.skippedUnchanged += newest.size - ids.length;
    if (ids.length === 0) continue;
    const got = await connector.pullByIds(ctx, entity, ids);
    stats.fetched += ids.length;
    records.push(...got.records);
    errors.push(...got.errors);
  }
  const before = await paymentLinks(deps.db, scope);
  await deps.db.transaction(async (tx) => {
    const s = await upsertRecords(tx, scope, records);
    stats.inserted += s.inserted;
    stats.updated += s.updated;
    for (const e of errors) {
      await tx.insert(syncErrors).values({
        ...scope,
        entity: e.entity,
        externalId: e.externalId,
        field: e.field,
        message: redactText(e.message),
        raw: (e.raw ?? null) as object,
      });
    }
  });
  stats.errors = errors.length;
  await detectOrphanedPayments(deps.db, scope, before);
  return stats;
}

/** outbound_writes as the write side's record. */
export function outboundStore(db: Db, scope: Scope): WriteStore {
  const where = (key: string) =>
    and(
      eq(outboundWrites.firmId, scope.firmId),
      eq(outboundWrites.connectionId, scope.connectionId),
      eq(outboundWrites.idempotencyKey, key),
    );
  return {
    async begin(w) {
      await db
        .insert(outboundWrites)
        .values({
          ...scope,
          provider: 'qbo',
          operation: w.operation,
          idempotencyKey: w.idempotencyKey,
          subject: w.subject,
          request: w.request,
        })
        .onConflictDoNothing();
      const [row] = await db.select().from(outboundWrites).where(where(w.idempotencyKey));
      return { status: (row?.status ?? 'pending') as 'pending', externalId: row?.externalId ?? null };
    },
    async sent(key, request) {
      await db
        .update(outboundWrites)
        .set({
          status: 'sent',
          request,
          attempts: sql`${outboundWrites.attempts} + 1`,
          updatedAt: new Date(),
        })
        .where(where(key));
    },
    async finish(key, r) {
      await db
        .update(outboundWrites)
        .set(
          r.status === 'succeeded'
            ? {
                status: 'succeeded',
                externalId: r.externalId,
                response: r.response,
                error: null,
                updatedAt: new Date(),
              }
            : { status: r.status, error: redactText(r.error), updatedAt: new Date() },
        )
        .where(where(key));
    },
  };
}

/** Send one write to a QBO connection, recorded in outbound_writes; refusals become exceptions. */
export async function pushQbo(deps: Deps, connectionId: string, write: QboWrite): Promise<PushResult> {
  return withAuthRecovery(deps, connectionId, () => pushOnce(deps, connectionId, write));
}

async function pushOnce(deps: Deps, connectionId: string, write: QboWrite): Promise<PushResult> {
  const ctx = await qboConnCtx(deps, connectionId);
  const scope = { firmId: ctx.firmId, connectionId };
  return pushToQbo(
    {
      client: qboConnectorFor(deps).client(ctx),
      connectionId,
      store: outboundStore(deps.db, scope),
      raise: async (e) => {
        await raiseException(deps.db, {
          firmId: ctx.firmId,
          kind: e.kind,
          subjectKind: e.subjectKind,
          subjectId: e.subjectId,
          reason: e.reason,
          details: { ...e.details, connectionId },
          dedupeKey: `${e.kind}:${connectionId}:${e.subjectId}:${String(e.details.operation ?? '')}`,
        });
      },
    },
    write,
  );
}

// webhook intake → targeted pulls (loaded by src/worker/jobs.ts)
wireQboWebhooks(pullQboEntities);
