import { formatMinor } from '../../canonical/index.js';
import { AppError } from '../../lib/errors.js';
import { sha256Hex } from '../../lib/hash.js';
import type { QboClient } from './client.js';

/**
 * The QBO write side: create an invoice, create a payment applied to given invoices, void, sparse update.
 * Every write has a deterministic requestid (QBO answers a repeated one with the first result), is kept in
 * our own record (the WriteStore, the outbound_writes table) before it is sent, and is checked against
 * the company's closed-books date first. Updates carry the SyncToken; a stale one (5010) is re-read,
 * re-applied and retried once, then reported as a conflict. A duplicate DocNumber (6140) is final.
 */
type Obj = Record<string, unknown>;

export interface InvoiceToCreate {
  customerExternalId: string;
  docNumber?: string;
  txnDate: string;
  dueDate?: string;
  currency: string;
  /** Home-currency units per unit of `currency`; required when it is not the home currency. */
  exchangeRate?: string;
  lines: {
    itemExternalId: string;
    description?: string;
    quantity: string;
    unitPrice: string;
    amountMinor: number;
  }[];
}

export interface PaymentToCreate {
  customerExternalId: string;
  txnDate: string;
  amountMinor: number;
  currency: string;
  exchangeRate?: string;
  depositToAccountExternalId?: string;
  reference?: string;
  applications: { invoiceExternalId: string; amountMinor: number }[];
}

export type QboWrite =
  | { op: 'invoice.create'; subject: string; invoice: InvoiceToCreate }
  | { op: 'payment.create'; subject: string; payment: PaymentToCreate }
  | { op: 'invoice.void' | 'payment.void'; subject: string; externalId: string }
  | { op: 'invoice.update'; subject: string; externalId: string; patch: Obj; replaceLines?: boolean };

export interface StoredWrite {
  status: 'pending' | 'sent' | 'succeeded' | 'failed' | 'blocked';
  externalId: string | null;
}

/** Our record of each write (outbound_writes). */
export interface WriteStore {
  /** Insert the write if new (same key, same row); returns its current state. */
  begin(w: {
    operation: string;
    idempotencyKey: string;
    subject: string;
    request: Obj;
  }): Promise<StoredWrite>;
  sent(idempotencyKey: string, request: Obj): Promise<void>;
  finish(
    idempotencyKey: string,
    r:
      | { status: 'succeeded'; externalId: string; response: Obj }
      | { status: 'failed' | 'blocked'; error: string },
  ): Promise<void>;
}

export interface PushException {
  kind: 'push_blocked_locked_period' | 'push_rejected';
  subjectKind: string;
  subjectId: string;
  reason: string;
  details: Record<string, unknown>;
}

export interface PushDeps {
  client: QboClient;
  connectionId: string;
  store: WriteStore;
  raise: (e: PushException) => Promise<void>;
}

export type PushResult =
  | { status: 'succeeded'; externalId: string; requestId: string; replayed: boolean }
  | { status: 'blocked'; requestId: string; bookCloseDate: string };

/** The requestid of a write: the same write of the same record always gets the same one. */
export function requestIdFor(connectionId: string, op: string, subject: string): string {
  return sha256Hex(`qbo:${connectionId}:${op}:${subject}`).slice(0, 36);
}

const amount = (minor: number, currency: string) => Number(formatMinor(minor, currency));

function invoiceBody(x: InvoiceToCreate, home: string): Obj {
  if (x.lines.length === 0) throw new AppError('validation_failed', 'an invoice needs at least one line');
  const body: Obj = {
    CustomerRef: { value: x.customerExternalId },
    TxnDate: x.txnDate,
    CurrencyRef: { value: x.currency },
    Line: x.lines.map((l) => ({
      DetailType: 'SalesItemLineDetail',
      Amount: amount(l.amountMinor, x.currency),
      ...(l.description ? { Description: l.description } : {}),
      SalesItemLineDetail: {
        ItemRef: { value: l.itemExternalId },
        Qty: Number(l.quantity),
        UnitPrice: Number(l.unitPrice),
      },
    })),
  };
  if (x.docNumber) body.DocNumber = x.docNumber;
  if (x.dueDate) body.DueDate = x.dueDate;
  withRate(body, x.currency, x.exchangeRate, home);
  return body;
}

function paymentBody(x: PaymentToCreate, home: string): Obj {
  const applied = x.applications.reduce((s, a) => s + a.amountMinor, 0);
  if (applied > x.amountMinor)
    throw new AppError('validation_failed', 'a payment cannot apply more than its amount', {
      fields: [{ path: 'applications', message: `applies ${applied} of ${x.amountMinor}` }],
    });
  const body: Obj = {
    CustomerRef: { value: x.customerExternalId },
    TxnDate: x.txnDate,
    TotalAmt: amount(x.amountMinor, x.currency),
    CurrencyRef: { value: x.currency },
    Line: x.applications.map((a) => ({
      Amount: amount(a.amountMinor, x.currency),
      LinkedTxn: [{ TxnId: a.invoiceExternalId, TxnType: 'Invoice' }],
    })),
  };
  if (x.depositToAccountExternalId) body.DepositToAccountRef = { value: x.depositToAccountExternalId };
  if (x.reference) body.PaymentRefNum = x.reference;
  withRate(body, x.currency, x.exchangeRate, home);
  return body;
}

/** A foreign-currency document always carries its ExchangeRate (QBO would otherwise pick its own). */
function withRate(body: Obj, currency: string, rate: string | undefined, home: string): void {
  if (currency === home) return;
  if (!rate || !/^\d+(\.\d+)?$/.test(rate) || Number(rate) <= 0)
    throw new AppError(
      'validation_failed',
      `a ${currency} document in a ${home} company needs its exchange rate`,
      {
        fields: [{ path: 'exchangeRate', message: 'required for a foreign-currency document' }],
      },
    );
  body.ExchangeRate = Number(rate);
}

function txnDateOf(w: QboWrite): string | null {
  if (w.op === 'invoice.create') return w.invoice.txnDate;
  if (w.op === 'payment.create') return w.payment.txnDate;
  return null;
}

export async function pushToQbo(deps: PushDeps, w: QboWrite): Promise<PushResult> {
  const requestId = requestIdFor(deps.connectionId, w.op, w.subject);
  const state = await deps.store.begin({
    operation: w.op,
    idempotencyKey: requestId,
    subject: w.subject,
    request: w as unknown as Obj,
  });
  if (state.status === 'succeeded' && state.externalId)
    return { status: 'succeeded', externalId: state.externalId, requestId, replayed: true };

  const prefs = await deps.client.preferences();
  const home =
    (prefs.CurrencyPrefs as { HomeCurrency?: { value?: string } } | undefined)?.HomeCurrency?.value ?? 'USD';
  const bookCloseDate =
    (prefs.AccountingInfoPrefs as { BookCloseDate?: string } | undefined)?.BookCloseDate ?? null;

  const entity = w.op.startsWith('invoice') ? 'Invoice' : 'Payment';
  let current: Obj | null = null;
  if (w.op === 'invoice.void' || w.op === 'payment.void' || w.op === 'invoice.update')
    current = await deps.client.read(entity, w.externalId);
  const date = txnDateOf(w) ?? (typeof current?.TxnDate === 'string' ? current.TxnDate : null);

  if (bookCloseDate && date && date <= bookCloseDate) {
    const reason = `${w.op} for ${w.subject} is dated ${date}, on or before the books closed in QuickBooks (${bookCloseDate}); it was not sent`;
    await deps.store.finish(requestId, { status: 'blocked', error: reason });
    await deps.raise({
      kind: 'push_blocked_locked_period',
      subjectKind: w.op.split('.')[0] ?? 'write',
      subjectId: w.subject,
      reason,
      details: { operation: w.op, date, bookCloseDate, requestId },
    });
    return { status: 'blocked', requestId, bookCloseDate };
  }

  try {
    const result = await send(deps, w, requestId, home, current);
    await deps.store.finish(requestId, {
      status: 'succeeded',
      externalId: String(result.Id),
      response: result,
    });
    return { status: 'succeeded', externalId: String(result.Id), requestId, replayed: false };
  } catch (e) {
    const err = e instanceof AppError ? e : new AppError('provider_error', `QBO ${w.op} failed`);
    await deps.store.finish(requestId, { status: 'failed', error: err.message });
    if (err.code === 'provider_duplicate' || err.code === 'provider_validation' || err.code === 'conflict') {
      await deps.raise({
        kind: 'push_rejected',
        subjectKind: w.op.split('.')[0] ?? 'write',
        subjectId: w.subject,
        reason: `QuickBooks refused ${w.op} for ${w.subject}: ${err.message}`,
        details: { operation: w.op, code: err.code, requestId },
      });
    }
    throw err;
  }
}

async function send(
  deps: PushDeps,
  w: QboWrite,
  requestId: string,
  home: string,
  current: Obj | null,
): Promise<Obj> {
  switch (w.op) {
    case 'invoice.create': {
      const body = invoiceBody(w.invoice, home);
      await deps.store.sent(requestId, body);
      return deps.client.create('Invoice', body, requestId);
    }
    case 'payment.create': {
      const body = paymentBody(w.payment, home);
      await deps.store.sent(requestId, body);
      return deps.client.create('Payment', body, requestId);
    }
    case 'invoice.void':
    case 'payment.void': {
      const entity = w.op === 'invoice.void' ? 'Invoice' : 'Payment';
      return withSyncToken(deps, entity, w.externalId, current, requestId, async (cur, rid) => {
        const ref = { Id: String(cur.Id), SyncToken: String(cur.SyncToken) };
        await deps.store.sent(requestId, ref);
        return deps.client.void(entity, ref, rid);
      });
    }
    case 'invoice.update': {
      if ('Line' in w.patch && !w.replaceLines)
        throw new AppError(
          'validation_failed',
          'a sparse update never sends Line unless every line is meant to be replaced',
          {
            fields: [{ path: 'patch.Line', message: 'set replaceLines to replace all lines' }],
          },
        );
      return withSyncToken(deps, 'Invoice', w.externalId, current, requestId, async (cur, rid) => {
        const body = { ...w.patch, Id: String(cur.Id), SyncToken: String(cur.SyncToken), sparse: true };
        await deps.store.sent(requestId, body);
        return deps.client.update('Invoice', body, rid);
      });
    }
    default: {
      const never: never = w;
      throw new AppError('internal', `unknown QBO write ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Apply a change at the current SyncToken; on 5010 re-read and re-apply once (under a requestid derived
 * from the first, since QBO answers a repeated requestid with its first answer), then report a conflict.
 */
async function withSyncToken(
  deps: PushDeps,
  entity: 'Invoice' | 'Payment',
  id: string,
  current: Obj | null,
  requestId: string,
  apply: (cur: Obj, requestId: string) => Promise<Obj>,
): Promise<Obj> {
  const first = current ?? (await deps.client.read(entity, id));
  try {
    return await apply(first, requestId);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'provider_conflict') throw e;
    const fresh = await deps.client.read(entity, id);
    try {
      return await apply(fresh, sha256Hex(`${requestId}:after-5010`).slice(0, 36));
    } catch (e2) {
      if (e2 instanceof AppError && e2.code === 'provider_conflict')
        throw new AppError(
          'conflict',
          `${entity} ${id} keeps changing in QuickBooks (stale SyncToken twice); not applied`,
          {
            details: { provider: 'qbo', entity, id },
          },
        );
      throw e2;
    }
  }
}
