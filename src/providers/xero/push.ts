import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  batchKey,
  elementOutcomes,
  type InvoiceToPush,
  idempotencyKey,
  insideLockDate,
  invoicePayload,
  lockDateOf,
  type PaymentToPush,
  paymentPayload,
} from '../../connectors/xero/push.js';
import { raiseException } from '../../db/repos/exceptions.js';
import { outboundWrites } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import { auth, loadXeroContext, type XeroDeps } from './context.js';

/**
 * Writes to Xero through our outbox (outbound_writes): the idempotency key comes from our record and is
 * stored before the call, a retry re-sends it, and a write that succeeded keeps Xero's id even after
 * Xero has forgotten the key (it remembers keys only briefly) — so it is never sent twice. A write dated
 * inside the org's lock dates is not sent: it becomes a `push_blocked_locked_period` exception.
 */
export type PushOutcome =
  | { subject: string; status: 'succeeded'; externalId: string; alreadySent: boolean }
  | { subject: string; status: 'blocked'; lockDate: string }
  | { subject: string; status: 'failed'; index: number; field: string | null; messages: string[] };

type Row = typeof outboundWrites.$inferSelect;

async function lockDate(deps: XeroDeps, connectionId: string): Promise<string | null> {
  const { ctx, client } = await loadXeroContext(deps, connectionId);
  const org = await client.organisation(await auth(ctx));
  const list = org.data.Organisations;
  return lockDateOf(Array.isArray(list) ? (list[0] as Record<string, unknown>) : undefined);
}

async function prepare(
  deps: XeroDeps,
  scope: { firmId: string; connectionId: string },
  operation: string,
  subject: string,
  request: unknown,
): Promise<Row> {
  const key = idempotencyKey(scope.connectionId, operation, subject);
  const [row] = await deps.db
    .insert(outboundWrites)
    .values({
      ...scope,
      provider: 'xero',
      operation,
      idempotencyKey: key,
      subject,
      request: request as object,
    })
    .onConflictDoUpdate({
      target: [outboundWrites.firmId, outboundWrites.connectionId, outboundWrites.idempotencyKey],
      set: { updatedAt: sql`now()` },
    })
    .returning();
  return row!;
}

async function settle(deps: XeroDeps, id: string, set: Partial<Row>): Promise<void> {
  await deps.db
    .update(outboundWrites)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(outboundWrites.id, id));
}

async function blocked(
  deps: XeroDeps,
  firmId: string,
  row: Row,
  what: string,
  date: string,
  lock: string,
): Promise<PushOutcome> {
  await settle(deps, row.id, {
    status: 'blocked',
    error: `dated ${date}, on or before the lock date ${lock}`,
  });
  await raiseException(deps.db, {
    firmId,
    kind: 'push_blocked_locked_period',
    subjectKind: row.subject.split(':')[0] ?? 'record',
    subjectId: row.subject,
    reason: `${what} dated ${date} was not sent to Xero: the organisation's books are locked up to ${lock}`,
    details: { connectionId: row.connectionId, operation: row.operation, lockDate: lock, date },
  });
  return { subject: row.subject, status: 'blocked', lockDate: lock };
}

/** Create invoices (one batch, summarizeErrors=false, unitdp=4): every element checked on its own. */
export async function pushXeroInvoices(
  deps: XeroDeps,
  connectionId: string,
  drafts: readonly InvoiceToPush[],
): Promise<PushOutcome[]> {
  const { ctx, client } = await loadXeroContext(deps, connectionId);
  const scope = { firmId: ctx.firmId, connectionId };
  const lock = await lockDate(deps, connectionId);
  const out = new Map<string, PushOutcome>();
  const toSend: { draft: InvoiceToPush; row: Row }[] = [];
  for (const d of drafts) {
    const subject = `invoice:${d.id}`;
    const payload = invoicePayload(d, ctx.firm.baseCurrency);
    const row = await prepare(deps, scope, 'invoice.create', subject, payload);
    if (row.status === 'succeeded' && row.externalId) {
      out.set(subject, { subject, status: 'succeeded', externalId: row.externalId, alreadySent: true });
    } else if (insideLockDate(d.issueDate, lock)) {
      out.set(
        subject,
        await blocked(deps, ctx.firmId, row, `invoice ${d.number ?? d.id}`, d.issueDate, lock ?? ''),
      );
    } else toSend.push({ draft: d, row });
  }
  if (toSend.length > 0) {
    const key = batchKey(toSend.map((s) => s.row.idempotencyKey));
    await deps.db
      .update(outboundWrites)
      .set({ status: 'sent', attempts: sql`${outboundWrites.attempts} + 1`, updatedAt: new Date() })
      .where(
        inArray(
          outboundWrites.id,
          toSend.map((s) => s.row.id),
        ),
      );
    let res: Awaited<ReturnType<typeof client.createInvoices>>;
    try {
      res = await client.createInvoices({
        ...(await auth(ctx)),
        invoices: { invoices: toSend.map((s) => invoicePayload(s.draft, ctx.firm.baseCurrency)) },
        idempotencyKey: key,
      });
    } catch (e) {
      // a retryable failure stays `sent`: the next attempt re-sends the same keys
      if (e instanceof AppError && !e.retryable)
        for (const s of toSend) await settle(deps, s.row.id, { status: 'failed', error: e.message });
      throw e;
    }
    const outcomes = elementOutcomes(res.items, 'InvoiceID');
    for (const [i, s] of toSend.entries()) {
      const o = outcomes[i];
      const subject = s.row.subject;
      if (o?.ok && o.externalId) {
        await settle(deps, s.row.id, {
          status: 'succeeded',
          externalId: o.externalId,
          response: res.items[i] as object,
          error: null,
        });
        out.set(subject, { subject, status: 'succeeded', externalId: o.externalId, alreadySent: false });
      } else {
        const messages = o?.messages ?? ['no element in Xero’s answer'];
        const field = o?.field ?? null;
        await settle(deps, s.row.id, {
          status: 'failed',
          response: (res.items[i] ?? null) as object,
          error: `element ${i}${field ? ` ${field}` : ''}: ${messages.join('; ')}`,
        });
        await raiseException(deps.db, {
          firmId: ctx.firmId,
          kind: 'push_rejected',
          subjectKind: 'invoice',
          subjectId: subject,
          reason: `Xero rejected invoice ${s.draft.number ?? s.draft.id}${field ? ` (${field})` : ''}: ${messages.join('; ')}`,
          details: { connectionId, index: i, field, messages },
        });
        out.set(subject, { subject, status: 'failed', index: i, field, messages });
      }
    }
  }
  return drafts.map((d) => out.get(`invoice:${d.id}`)!);
}

/** Apply a payment to an invoice in Xero. */
export async function pushXeroPayment(
  deps: XeroDeps,
  connectionId: string,
  p: PaymentToPush,
): Promise<PushOutcome> {
  const { ctx, client } = await loadXeroContext(deps, connectionId);
  const subject = `payment:${p.id}`;
  const payload = paymentPayload(p);
  const row = await prepare(deps, { firmId: ctx.firmId, connectionId }, 'payment.create', subject, payload);
  if (row.status === 'succeeded' && row.externalId)
    return { subject, status: 'succeeded', externalId: row.externalId, alreadySent: true };
  const lock = await lockDate(deps, connectionId);
  if (insideLockDate(p.date, lock))
    return blocked(deps, ctx.firmId, row, `payment ${p.id}`, p.date, lock ?? '');
  await settle(deps, row.id, { status: 'sent', attempts: row.attempts + 1 });
  let res: Awaited<ReturnType<typeof client.createPayment>>;
  try {
    res = await client.createPayment({
      ...(await auth(ctx)),
      payment: payload,
      idempotencyKey: row.idempotencyKey,
    });
  } catch (e) {
    // a validation error is final: recorded and reported, never retried
    if (!(e instanceof AppError) || e.retryable) throw e;
    const messages = Array.isArray(e.details?.messages) ? (e.details.messages as string[]) : [e.message];
    await settle(deps, row.id, { status: 'failed', error: messages.join('; ') });
    return { subject, status: 'failed', index: 0, field: null, messages };
  }
  const [o] = elementOutcomes(res.items, 'PaymentID');
  if (!o?.ok || !o.externalId) {
    await settle(deps, row.id, { status: 'failed', error: (o?.messages ?? []).join('; ') });
    return { subject, status: 'failed', index: 0, field: o?.field ?? null, messages: o?.messages ?? [] };
  }
  await settle(deps, row.id, {
    status: 'succeeded',
    externalId: o.externalId,
    response: res.items[0] as object,
  });
  return { subject, status: 'succeeded', externalId: o.externalId, alreadySent: false };
}

/** Delete (reverse) a payment in Xero; the invoice's balance comes back with the next pull. */
export async function deleteXeroPayment(
  deps: XeroDeps,
  connectionId: string,
  paymentExternalId: string,
  opts: { date?: string } = {},
): Promise<PushOutcome> {
  const { ctx, client } = await loadXeroContext(deps, connectionId);
  const subject = `payment-delete:${paymentExternalId}`;
  const row = await prepare(deps, { firmId: ctx.firmId, connectionId }, 'payment.delete', subject, {
    paymentId: paymentExternalId,
    status: 'DELETED',
  });
  if (row.status === 'succeeded' && row.externalId)
    return { subject, status: 'succeeded', externalId: row.externalId, alreadySent: true };
  if (opts.date) {
    const lock = await lockDate(deps, connectionId);
    if (insideLockDate(opts.date, lock))
      return blocked(deps, ctx.firmId, row, `payment ${paymentExternalId}`, opts.date, lock ?? '');
  }
  await settle(deps, row.id, { status: 'sent', attempts: row.attempts + 1 });
  const res = await client.deletePayment({
    ...(await auth(ctx)),
    paymentId: paymentExternalId,
    idempotencyKey: row.idempotencyKey,
  });
  await settle(deps, row.id, {
    status: 'succeeded',
    externalId: paymentExternalId,
    response: (res.items[0] ?? null) as object,
  });
  return { subject, status: 'succeeded', externalId: paymentExternalId, alreadySent: false };
}

export async function outboundFor(
  deps: XeroDeps,
  connectionId: string,
  subject: string,
): Promise<Row | null> {
  const [r] = await deps.db
    .select()
    .from(outboundWrites)
    .where(and(eq(outboundWrites.connectionId, connectionId), eq(outboundWrites.subject, subject)));
  return r ?? null;
}
