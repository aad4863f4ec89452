import type { Invoice as SdkInvoice, Invoices as SdkInvoices, Payment as SdkPayment } from 'xero-node';
import {
  type DecimalString,
  formatMinor,
  type IsoDate,
  invertRate,
  type TaxMode,
} from '../../canonical/index.js';
import { sha256Hex } from '../../lib/hash.js';
import { xeroCalendarDate } from './dates.js';

/**
 * Pure builders for writes to Xero: the SDK-shaped payloads, idempotency keys derived from our own
 * record, the org's lock date, and the per-element check of a `summarizeErrors=false` answer.
 */

/** An invoice of ours to create in Xero. `id` is our record's id (the subject of the write). */
export interface InvoiceToPush {
  id: string;
  contactExternalId: string;
  issueDate: IsoDate;
  dueDate: IsoDate | null;
  currency: string;
  /** Canonical direction: base-currency units per unit of `currency`; null lets Xero use its day rate. */
  currencyRate: DecimalString | null;
  taxMode: TaxMode;
  number: string | null;
  reference: string | null;
  status: 'DRAFT' | 'SUBMITTED' | 'AUTHORISED';
  lines: {
    description: string;
    quantity: DecimalString;
    /** Up to 4 decimals: sent with unitdp=4. */
    unitAmount: DecimalString;
    accountCode: string;
    taxType: string | null;
  }[];
}

export interface PaymentToPush {
  id: string;
  invoiceExternalId: string;
  /** The bank account paid into: Xero AccountID or Code. */
  account: { accountId: string } | { code: string };
  date: IsoDate;
  amountMinor: number;
  currency: string;
  reference: string | null;
}

/** Deterministic from our record: a retry sends the same key; another record never shares it. */
export function idempotencyKey(connectionId: string, operation: string, subject: string): string {
  return `lb-${sha256Hex(`${connectionId}|${operation}|${subject}`).slice(0, 40)}`;
}

/** One key for a batch request, from its elements' keys (order-independent). */
export function batchKey(keys: readonly string[]): string {
  return `lb-batch-${sha256Hex([...keys].sort().join(',')).slice(0, 40)}`;
}

const LINE_TYPES: Record<TaxMode, string> = { exclusive: 'Exclusive', inclusive: 'Inclusive', none: 'NoTax' };

/**
 * Xero's `CurrencyRate` is document-currency units per one base unit (the way Xero shows
 * "1 NZD = 0.62 USD"); ours is the inverse, so it is inverted on the way out (and back in map.ts).
 */
export function invoicePayload(inv: InvoiceToPush, baseCurrency: string): SdkInvoice {
  const out: Record<string, unknown> = {
    type: 'ACCREC',
    contact: { contactID: inv.contactExternalId },
    date: inv.issueDate,
    lineAmountTypes: LINE_TYPES[inv.taxMode],
    currencyCode: inv.currency,
    status: inv.status,
    lineItems: inv.lines.map((l) => ({
      description: l.description,
      quantity: Number(l.quantity),
      unitAmount: Number(l.unitAmount),
      accountCode: l.accountCode,
      ...(l.taxType ? { taxType: l.taxType } : {}),
    })),
  };
  if (inv.dueDate) out.dueDate = inv.dueDate;
  if (inv.number) out.invoiceNumber = inv.number;
  if (inv.reference) out.reference = inv.reference;
  if (inv.currencyRate && inv.currency !== baseCurrency)
    out.currencyRate = Number(invertRate(inv.currencyRate, 6));
  return out as unknown as SdkInvoice;
}

export function invoicesPayload(invs: readonly InvoiceToPush[], baseCurrency: string): SdkInvoices {
  return { invoices: invs.map((i) => invoicePayload(i, baseCurrency)) } as SdkInvoices;
}

export function paymentPayload(p: PaymentToPush): SdkPayment {
  return {
    invoice: { invoiceID: p.invoiceExternalId },
    account: 'accountId' in p.account ? { accountID: p.account.accountId } : { code: p.account.code },
    date: p.date,
    amount: Number(formatMinor(p.amountMinor, p.currency)),
    ...(p.reference ? { reference: p.reference } : {}),
  } as unknown as SdkPayment;
}

/** The org's lock date: the later of PeriodLockDate and EndOfYearLockDate (null when none). */
export function lockDateOf(org: Record<string, unknown> | undefined): IsoDate | null {
  const dates = ['PeriodLockDate', 'EndOfYearLockDate'].flatMap((k) => {
    const v = org?.[k];
    if (typeof v !== 'string' || v === '') return [];
    try {
      return [xeroCalendarDate(v)];
    } catch {
      return [];
    }
  });
  return dates.sort().at(-1) ?? null;
}

/** A write dated on or before the lock date would be refused by Xero: it goes to a person instead. */
export const insideLockDate = (date: IsoDate, lock: IsoDate | null): boolean => lock !== null && date <= lock;

export interface ElementOutcome {
  index: number;
  ok: boolean;
  externalId: string | null;
  /** The failing field, where Xero points at one (`LineItems.1`), and its messages. */
  field: string | null;
  messages: string[];
}

/** Check each element of a summarizeErrors=false answer. */
export function elementOutcomes(items: readonly unknown[], idField: string): ElementOutcome[] {
  return items.map((raw, index) => {
    const el = (raw ?? {}) as Record<string, unknown>;
    const own = Array.isArray(el.ValidationErrors) ? (el.ValidationErrors as { Message?: string }[]) : [];
    const lines = Array.isArray(el.LineItems) ? (el.LineItems as Record<string, unknown>[]) : [];
    const badLine = lines.findIndex(
      (l) => Array.isArray(l.ValidationErrors) && l.ValidationErrors.length > 0,
    );
    const failed =
      el.HasErrors === true ||
      el.HasValidationErrors === true ||
      el.StatusAttributeString === 'ERROR' ||
      own.length > 0;
    const id = typeof el[idField] === 'string' ? (el[idField] as string) : null;
    return {
      index,
      ok: !failed && id !== null,
      externalId: failed ? null : id,
      field: failed && badLine >= 0 ? `LineItems.${badLine}` : null,
      messages: own.map((v) => v.Message ?? '').filter(Boolean),
    };
  });
}
