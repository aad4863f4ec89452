import type { z } from 'zod';
import { dayInZone } from '../../canonical/index.js';
import { type Clock, systemClock } from '../../lib/clock.js';
import type {
  CanonicalRecord,
  ConnCtx,
  Connector,
  Cursor,
  EntityKind,
  Page,
  RecordError,
} from '../connector.js';
import { QBO_LIMITS, QBO_PAGE_MAX, QboClient } from './client.js';
import type { RealmLimiter, Timer } from './limiter.js';
import {
  type MapCtx,
  mapAccount,
  mapCreditMemo,
  mapCustomer,
  mapDeposit,
  mapInvoice,
  mapItem,
  mapJournalEntry,
  mapPayment,
  mapPurchase,
  mapTimeActivity,
  mapTransfer,
} from './map.js';
import { glPostings, parseReport, reportRecords } from './reports.js';
import {
  QAccount,
  QCreditMemo,
  QCustomer,
  QDeposit,
  QInvoice,
  QItem,
  QJournalEntry,
  QPayment,
  QPurchase,
  QTimeActivity,
  QTransfer,
} from './wire.js';

/**
 * The QBO connector's pull side. Each kind is read entity by entity in query pages of at most 1,000 with
 * an explicit `ORDERBY Id`, paging until a short page. After the first full read, increments come from
 * CDC (changes and deletions, at most 30 days back); an entity whose CDC answer hits 1,000 objects, or a
 * cursor older than 30 days, falls back to `MetaData.LastUpdatedTime` queries. TimeActivity is not in CDC
 * and is polled by LastUpdatedTime. The GL kind also reads the GeneralLedger, TrialBalance and
 * AgedReceivables reports.
 */
type Obj = Record<string, unknown>;

export type QboEntity =
  | 'Customer'
  | 'Account'
  | 'Item'
  | 'Invoice'
  | 'CreditMemo'
  | 'Payment'
  | 'Deposit'
  | 'Purchase'
  | 'Transfer'
  | 'TimeActivity'
  | 'JournalEntry';

export const KIND_ENTITIES: Partial<Record<EntityKind, QboEntity[]>> = {
  accounts: ['Account', 'Item'],
  contacts: ['Customer'],
  invoices: ['Invoice'],
  credit_notes: ['CreditMemo'],
  payments: ['Payment'],
  bank_transactions: ['Deposit', 'Purchase', 'Transfer'],
  time_entries: ['TimeActivity'],
  gl_postings: ['JournalEntry'],
};

/** The entity → kind direction, for webhooks and CDC. */
export function kindOfEntity(entity: string): EntityKind | null {
  for (const [kind, list] of Object.entries(KIND_ENTITIES))
    if (list?.includes(entity as QboEntity)) return kind as EntityKind;
  return null;
}

const NO_CDC = new Set<QboEntity>(['TimeActivity']);
const CDC_MAX_DAYS = 30;

type Cur =
  | {
      phase: 'query';
      entities: QboEntity[];
      index: number;
      start: number;
      since: string | null;
      mark: string | null;
      after: 'cdc' | 'reports';
    }
  | { phase: 'cdc'; since: string }
  | { phase: 'reports'; since: string };

const PARSERS: Record<
  QboEntity,
  { schema: z.ZodType; map: (x: never, ctx: MapCtx) => CanonicalRecord | CanonicalRecord[] }
> = {
  Customer: { schema: QCustomer, map: mapCustomer },
  Account: { schema: QAccount, map: mapAccount },
  Item: { schema: QItem, map: mapItem },
  Invoice: { schema: QInvoice, map: mapInvoice },
  CreditMemo: { schema: QCreditMemo, map: mapCreditMemo },
  Payment: { schema: QPayment, map: mapPayment },
  Deposit: { schema: QDeposit, map: mapDeposit },
  Purchase: { schema: QPurchase, map: mapPurchase },
  Transfer: { schema: QTransfer, map: mapTransfer },
  TimeActivity: { schema: QTimeActivity, map: mapTimeActivity },
  JournalEntry: { schema: QJournalEntry, map: mapJournalEntry },
};

/** Which canonical kind a deleted entity's row lives in, and under which external id. */
function deletionOf(entity: QboEntity, id: string): CanonicalRecord[] {
  const d = (of: Parameters<typeof mk>[0], externalId: string) => mk(of, externalId);
  const mk = (
    of:
      | 'contact'
      | 'account'
      | 'item'
      | 'invoice'
      | 'credit_note'
      | 'payment'
      | 'bank_transaction'
      | 'matter'
      | 'time_entry',
    externalId: string,
  ): CanonicalRecord => ({
    kind: 'deletion',
    data: { of, externalId },
    raw: { entity, Id: id, status: 'Deleted' },
  });
  switch (entity) {
    case 'Customer':
      return [d('contact', id), d('matter', id)];
    case 'Account':
      return [d('account', id)];
    case 'Item':
      return [d('item', id)];
    case 'Invoice':
      return [d('invoice', id)];
    case 'CreditMemo':
      return [d('credit_note', id)];
    case 'Payment':
      return [d('payment', id)];
    case 'Deposit':
      return [d('bank_transaction', `deposit:${id}`)];
    case 'Purchase':
      return [d('bank_transaction', `purchase:${id}`)];
    case 'Transfer':
      return [d('bank_transaction', `transfer:${id}:out`), d('bank_transaction', `transfer:${id}:in`)];
    case 'TimeActivity':
      return [d('time_entry', id)];
    case 'JournalEntry':
      // its postings are keyed by line; the GL report re-read drops them
      return [];
    default: {
      const never: never = entity;
      return never;
    }
  }
}

export interface QboConnectorOptions {
  environment: 'sandbox' | 'production';
  clock?: Clock;
  timer?: Timer;
  limiter?: RealmLimiter;
  pageSize?: number;
  /** First day the GL report covers on the first pull (default: 1 January of last year). */
  reportsFrom?: (today: string) => string;
}

export interface QboCompany {
  homeCurrency: string;
  bookCloseDate: string | null;
  map: MapCtx;
}

export class QboConnector implements Connector {
  readonly provider = 'qbo' as const;
  readonly limits = QBO_LIMITS;
  readonly kinds: readonly EntityKind[] = [
    'accounts',
    'contacts',
    'invoices',
    'credit_notes',
    'payments',
    'bank_transactions',
    'time_entries',
    'gl_postings',
  ];
  private readonly clock: Clock;
  private readonly pageSize: number;
  private readonly companies = new Map<string, { at: number; company: Promise<QboCompany> }>();

  constructor(private readonly opts: QboConnectorOptions) {
    this.clock = opts.clock ?? systemClock;
    this.pageSize = Math.min(opts.pageSize ?? QBO_PAGE_MAX, QBO_PAGE_MAX);
  }

  client(ctx: ConnCtx): QboClient {
    if (!ctx.tenantId) throw new Error('a QBO connection needs its realmId (tenantId)');
    return new QboClient({
      realmId: ctx.tenantId,
      accessToken: ctx.accessToken,
      environment: this.opts.environment,
      logger: ctx.logger,
      ...(this.opts.timer ? { timer: this.opts.timer } : {}),
      ...(this.opts.limiter ? { limiter: this.opts.limiter } : {}),
    });
  }

  /** Home currency, closed-books date, sub-customers and accounts: loaded once per sync (5 minutes). */
  company(ctx: ConnCtx, fresh = false): Promise<QboCompany> {
    const hit = this.companies.get(ctx.connectionId);
    const now = this.clock.now().getTime();
    if (hit && !fresh && now - hit.at < 5 * 60_000) return hit.company;
    const company = this.loadCompany(ctx);
    this.companies.set(ctx.connectionId, { at: now, company });
    company.catch(() => this.companies.delete(ctx.connectionId));
    return company;
  }

  private async loadCompany(ctx: ConnCtx): Promise<QboCompany> {
    const client = this.client(ctx);
    const prefs = await client.preferences();
    const currencyPrefs = (prefs.CurrencyPrefs ?? {}) as { HomeCurrency?: { value?: string } };
    const accounting = (prefs.AccountingInfoPrefs ?? {}) as { BookCloseDate?: string };
    const homeCurrency = currencyPrefs.HomeCurrency?.value ?? ctx.firm.baseCurrency;
    const subs = await this.queryAll(client, 'Customer', 'Job = true');
    const direct = new Map<string, string>();
    for (const c of subs) {
      const p = (c.ParentRef as { value?: string } | undefined)?.value;
      if (typeof c.Id === 'string' && p) direct.set(c.Id, p);
    }
    const parents = new Map<string, string>();
    for (const id of direct.keys()) {
      let top = direct.get(id)!;
      for (let i = 0; i < 20 && direct.has(top); i++) top = direct.get(top)!;
      parents.set(id, top);
    }
    const accounts = new Map<
      string,
      { type: string; classification: string | null; number: string | null }
    >();
    for (const a of await this.queryAll(client, 'Account', null)) {
      if (typeof a.Id !== 'string') continue;
      accounts.set(a.Id, {
        type: String(a.AccountType ?? ''),
        classification: typeof a.Classification === 'string' ? a.Classification : null,
        number: typeof a.AcctNum === 'string' ? a.AcctNum : null,
      });
    }
    return {
      homeCurrency,
      bookCloseDate: accounting.BookCloseDate ?? null,
      map: { homeCurrency, parents, accounts },
    };
  }

  private async queryAll(client: QboClient, entity: QboEntity, where: string | null): Promise<Obj[]> {
    const out: Obj[] = [];
    for (let start = 1; ; start += this.pageSize) {
      const page = await client.query(entity, where, 'Id', start, this.pageSize);
      out.push(...page.items);
      if (page.items.length < this.pageSize) return out;
    }
  }

  private mapItems(
    entity: QboEntity,
    kind: EntityKind,
    items: Obj[],
    ctx: MapCtx,
  ): { records: CanonicalRecord[]; errors: RecordError[] } {
    const records: CanonicalRecord[] = [];
    const errors: RecordError[] = [];
    const p = PARSERS[entity];
    for (const raw of items) {
      const id = typeof raw.Id === 'string' ? raw.Id : null;
      if (raw.status === 'Deleted') {
        if (id) records.push(...deletionOf(entity, id));
        continue;
      }
      const parsed = p.schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        errors.push({
          entity: kind,
          externalId: id,
          field: issue ? `${entity}.${issue.path.join('.')}` : entity,
          message: issue?.message ?? 'not a valid record',
          raw,
        });
        continue;
      }
      try {
        const out = p.map(parsed.data as never, ctx);
        records.push(...(Array.isArray(out) ? out : [out]));
      } catch (e) {
        errors.push({
          entity: kind,
          externalId: id,
          field: entity,
          message: e instanceof Error ? e.message : String(e),
          raw,
        });
      }
    }
    return { records, errors };
  }

  /** A targeted pull of named objects (a webhook's changes): `Id IN (…)`, 100 at a time. */
  async pullByIds(
    ctx: ConnCtx,
    entity: QboEntity,
    ids: string[],
  ): Promise<{ records: CanonicalRecord[]; errors: RecordError[] }> {
    const kind = kindOfEntity(entity);
    if (!kind) return { records: [], errors: [] };
    const company = await this.company(ctx);
    const client = this.client(ctx);
    const records: CanonicalRecord[] = [];
    const errors: RecordError[] = [];
    const unique = [...new Set(ids)].filter((id) => /^[A-Za-z0-9-]+$/.test(id));
    for (let i = 0; i < unique.length; i += 100) {
      const chunk = unique.slice(i, i + 100);
      const page = await client.query(
        entity,
        `Id IN (${chunk.map((id) => `'${id}'`).join(',')})`,
        'Id',
        1,
        1000,
      );
      const m = this.mapItems(entity, kind, page.items, company.map);
      records.push(...m.records);
      errors.push(...m.errors);
    }
    return { records, errors };
  }

  /** Deletion records for an entity QBO says is deleted. */
  deletionRecords(entity: QboEntity, id: string): CanonicalRecord[] {
    return deletionOf(entity, id);
  }

  async pull(ctx: ConnCtx, kind: EntityKind, cursor: Cursor | null): Promise<Page> {
    const entities = KIND_ENTITIES[kind];
    if (!entities) return { records: [], errors: [], next: null, done: true };
    const cur = (cursor as Cur | null) ?? {
      phase: 'query',
      entities,
      index: 0,
      start: 1,
      since: null,
      mark: null,
      after: kind === 'gl_postings' ? 'reports' : 'cdc',
    };
    const company = await this.company(ctx);
    switch (cur.phase) {
      case 'query':
        return this.queryPage(ctx, kind, cur, company);
      case 'cdc':
        return this.cdcPage(ctx, kind, entities, cur.since, company);
      case 'reports':
        return this.reportsPage(ctx, cur.since, company);
      default: {
        const never: never = cur;
        throw new Error(`unknown QBO cursor ${JSON.stringify(never)}`);
      }
    }
  }

  private async queryPage(
    ctx: ConnCtx,
    kind: EntityKind,
    cur: Extract<Cur, { phase: 'query' }>,
    company: QboCompany,
  ): Promise<Page> {
    const entity = cur.entities[cur.index];
    if (!entity) return this.afterQuery(cur);
    const where = cur.since ? `MetaData.LastUpdatedTime >= '${cur.since}'` : null;
    const page = await this.client(ctx).query(entity, where, 'Id', cur.start, this.pageSize);
    const mark = cur.mark ?? page.time ?? this.clock.now().toISOString();
    const { records, errors } = this.mapItems(entity, kind, page.items, company.map);
    const short = page.items.length < this.pageSize;
    const next: Cur = short
      ? { ...cur, index: cur.index + 1, start: 1, mark }
      : { ...cur, start: cur.start + page.items.length, mark };
    if (short && next.phase === 'query' && next.index >= cur.entities.length) {
      const after = this.afterQuery(next);
      return { records, errors, next: after.next, done: after.done };
    }
    return { records, errors, next: next as Cursor, done: false };
  }

  private afterQuery(cur: Extract<Cur, { phase: 'query' }>): Page {
    const since = cur.mark ?? this.clock.now().toISOString();
    if (cur.after === 'reports')
      return { records: [], errors: [], next: { phase: 'reports', since }, done: false };
    return { records: [], errors: [], next: { phase: 'cdc', since }, done: true };
  }

  private async cdcPage(
    ctx: ConnCtx,
    kind: EntityKind,
    entities: QboEntity[],
    since: string,
    company: QboCompany,
  ): Promise<Page> {
    const now = this.clock.now();
    const tooOld = now.getTime() - Date.parse(since) > (CDC_MAX_DAYS - 1) * 86_400_000;
    const polled = entities.filter((e) => NO_CDC.has(e) || tooOld);
    const viaCdc = entities.filter((e) => !polled.includes(e));
    const records: CanonicalRecord[] = [];
    const errors: RecordError[] = [];
    let time: string | null = null;
    const fallback: QboEntity[] = [...polled];
    if (viaCdc.length > 0) {
      const res = await this.client(ctx).cdc(viaCdc, new Date(since));
      time = res.time;
      for (const entity of viaCdc) {
        const items = res.byEntity[entity] ?? [];
        if (items.length >= QBO_PAGE_MAX) {
          // CDC answers at most 1,000 objects: keep its deletions, re-read the rest by LastUpdatedTime
          fallback.push(entity);
          const m = this.mapItems(
            entity,
            kind,
            items.filter((i) => i.status === 'Deleted'),
            company.map,
          );
          records.push(...m.records);
          continue;
        }
        const m = this.mapItems(entity, kind, items, company.map);
        records.push(...m.records);
        errors.push(...m.errors);
      }
    }
    const mark = time ?? now.toISOString();
    const after = kind === 'gl_postings' ? 'reports' : 'cdc';
    if (fallback.length > 0) {
      const next: Cur = { phase: 'query', entities: fallback, index: 0, start: 1, since, mark, after };
      return { records, errors, next: next as Cursor, done: false };
    }
    if (after === 'reports') return { records, errors, next: { phase: 'reports', since: mark }, done: false };
    return { records, errors, next: { phase: 'cdc', since: mark }, done: true };
  }

  private async reportsPage(ctx: ConnCtx, since: string, company: QboCompany): Promise<Page> {
    const client = this.client(ctx);
    const today = dayInZone(this.clock.now(), ctx.firm.timezone);
    const from = this.opts.reportsFrom?.(today) ?? `${Number(today.slice(0, 4)) - 1}-01-01`;
    const records: CanonicalRecord[] = [];
    const errors: RecordError[] = [];
    const reports: ['GeneralLedger' | 'TrialBalance' | 'AgedReceivables', Record<string, string>][] = [
      ['GeneralLedger', { start_date: from, end_date: today, accounting_method: 'Accrual' }],
      ['TrialBalance', { start_date: from, end_date: today, accounting_method: 'Accrual' }],
      ['AgedReceivables', { report_date: today, aging_method: 'Report_Date' }],
    ];
    for (const [name, params] of reports) {
      const raw = await client.report(name, params);
      try {
        const parsed = parseReport(raw, company.homeCurrency);
        records.push(...reportRecords(parsed));
        if (name === 'GeneralLedger') records.push(...glPostings(parsed, company.map));
      } catch (e) {
        errors.push({
          entity: 'gl_postings',
          externalId: name,
          field: 'Rows',
          message: e instanceof Error ? e.message : String(e),
          raw: null,
        });
      }
    }
    return { records, errors, next: { phase: 'cdc', since }, done: true };
  }
}

export function createQboConnector(opts: QboConnectorOptions): QboConnector {
  return new QboConnector(opts);
}
