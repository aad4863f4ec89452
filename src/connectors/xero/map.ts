import type { z } from 'zod';
import {
  Account,
  type AccountClass,
  type Application,
  BankTransaction,
  Contact,
  CreditNote,
  convertMinor,
  type DocStatus,
  Invoice,
  type InvoiceLine,
  invertRate,
  Payment,
  type PaymentKind,
  Prepayment,
  type TaxMode,
  toDecimalString,
  toMinor,
} from '../../canonical/index.js';
import { err, ok, type Result } from '../../lib/result.js';
import type { CanonicalRecord, EntityKind, RecordError } from '../connector.js';
import { xeroDocDate } from './dates.js';
import {
  XAccount,
  type XAllocation,
  XBankTransaction,
  XContact,
  XCreditNote,
  XInvoice,
  type XNum,
  XOverpayment,
  XPayment,
  XPrepayment,
} from './wire.js';

/**
 * Pure mappers: one raw Xero record (the API's JSON) → one canonical record, or a RecordError naming the
 * record and the field. `null` means "not ours" (an ACCPAY invoice, a supplier credit note) and is
 * skipped without an error.
 */
export interface MapOpts {
  /** The firm's base currency (Xero's CurrencyRate is relative to the org's base currency). */
  baseCurrency: string;
}

export type MapResult = Result<CanonicalRecord | null, RecordError>;

/** Which JSON field carries the id, per entity. */
export const ID_FIELD: Partial<Record<EntityKind, string>> = {
  accounts: 'AccountID',
  contacts: 'ContactID',
  invoices: 'InvoiceID',
  credit_notes: 'CreditNoteID',
  overpayments: 'OverpaymentID',
  prepayments: 'PrepaymentID',
  payments: 'PaymentID',
  bank_transactions: 'BankTransactionID',
};

/** A mapping failure that knows its field. */
class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function amount(value: XNum | null | undefined, currency: string, field: string): number {
  if (value === null || value === undefined) return 0;
  try {
    return toMinor(value, currency);
  } catch (e) {
    throw new FieldError(field, e instanceof Error ? e.message : String(e));
  }
}

function decimal(value: XNum | null | undefined, field: string, fallback = '0'): string {
  if (value === null || value === undefined) return fallback;
  try {
    return toDecimalString(value);
  } catch (e) {
    throw new FieldError(field, e instanceof Error ? e.message : String(e));
  }
}

function day(dateString: string | null | undefined, date: string, field: string): string {
  try {
    return xeroDocDate(dateString, date);
  } catch (e) {
    throw new FieldError(field, e instanceof Error ? e.message : String(e));
  }
}

const DOC_STATUS: Record<string, DocStatus> = {
  DRAFT: 'draft',
  SUBMITTED: 'submitted',
  AUTHORISED: 'authorised',
  PAID: 'paid',
  VOIDED: 'voided',
  DELETED: 'deleted',
};

function docStatus(s: string): DocStatus {
  const v = DOC_STATUS[s.toUpperCase()];
  if (!v) throw new FieldError('Status', `unknown status "${s}"`);
  return v;
}

function taxMode(t: string | null | undefined): TaxMode {
  switch ((t ?? 'Exclusive').toLowerCase()) {
    case 'exclusive':
      return 'exclusive';
    case 'inclusive':
      return 'inclusive';
    case 'notax':
      return 'none';
    default:
      throw new FieldError('LineAmountTypes', `unknown line amount type "${t}"`);
  }
}

/**
 * Xero's `CurrencyRate` is units of the document currency per one unit of the org's base currency
 * (a USD invoice in an NZD org at 0.65: 1 NZD = 0.65 USD). Canonical rates are the other way round
 * (base per document unit), so the rate is inverted and the base amount is total ÷ Xero's rate.
 */
function fx(
  total: number,
  currency: string,
  rate: XNum | null | undefined,
  base: string,
): { currencyRate: string; baseTotalMinor: number } {
  if (currency === base) return { currencyRate: '1', baseTotalMinor: total };
  const r = decimal(rate, 'CurrencyRate', '');
  if (r === '' || Number(r) === 0)
    throw new FieldError('CurrencyRate', `a ${currency} document in a ${base} org needs a rate`);
  const currencyRate = invertRate(r);
  return { currencyRate, baseTotalMinor: convertMinor(total, currency, currencyRate, base) };
}

function allocations(
  source: 'credit_note' | 'overpayment' | 'prepayment',
  ownerId: string,
  list: XAllocation[] | null | undefined,
  currency: string,
  reversedAll: boolean,
): Application[] {
  return (list ?? []).map((a, n) => ({
    key: `${source}:${ownerId}:${a.AllocationID ?? `${a.Invoice.InvoiceID}:${n}`}`,
    source,
    sourceExternalId: ownerId,
    invoiceExternalId: a.Invoice.InvoiceID,
    date: day(null, a.Date, `Allocations.${n}.Date`),
    amountMinor: amount(a.Amount, currency, `Allocations.${n}.Amount`),
    currency,
    status: reversedAll || a.IsDeleted === true ? 'reversed' : 'active',
  }));
}

function lines(items: z.infer<typeof XInvoice>['LineItems'], currency: string): InvoiceLine[] {
  return (items ?? []).map((l, n) => ({
    externalId: l.LineItemID ?? null,
    description: l.Description ?? '',
    quantity: decimal(l.Quantity, `LineItems.${n}.Quantity`),
    unitAmount: decimal(l.UnitAmount, `LineItems.${n}.UnitAmount`),
    amountMinor: amount(l.LineAmount, currency, `LineItems.${n}.LineAmount`),
    taxMinor: amount(l.TaxAmount, currency, `LineItems.${n}.TaxAmount`),
    accountCode: l.AccountCode ?? null,
    taxType: l.TaxType ?? null,
    itemCode: l.ItemCode ?? null,
  }));
}

const nz = (s: string | null | undefined): string | null =>
  s === undefined || s === null || s === '' ? null : s;

function mapInvoice(x: XInvoice, o: MapOpts): CanonicalRecord | null {
  if (x.Type !== 'ACCREC') return null;
  const cur = x.CurrencyCode;
  const totalMinor = amount(x.Total, cur, 'Total');
  const data: Invoice = {
    externalId: x.InvoiceID,
    number: nz(x.InvoiceNumber),
    reference: nz(x.Reference),
    contactExternalId: x.Contact?.ContactID ?? null,
    matterExternalId: null,
    status: docStatus(x.Status),
    issueDate: day(x.DateString, x.Date, 'Date'),
    dueDate: x.DueDate ? day(x.DueDateString, x.DueDate, 'DueDate') : null,
    currency: cur,
    taxMode: taxMode(x.LineAmountTypes),
    subtotalMinor: amount(x.SubTotal, cur, 'SubTotal'),
    taxMinor: amount(x.TotalTax, cur, 'TotalTax'),
    totalMinor,
    ...fx(totalMinor, cur, x.CurrencyRate, o.baseCurrency),
    providerAmountDueMinor:
      x.AmountDue === null || x.AmountDue === undefined ? null : amount(x.AmountDue, cur, 'AmountDue'),
    lines: lines(x.LineItems, cur),
  };
  // invoices carry no applications: payments, credit notes and prepayments own theirs
  return { kind: 'invoice', data: Invoice.parse(data), applications: [], raw: x };
}

function mapCreditNote(x: XCreditNote, o: MapOpts): CanonicalRecord | null {
  if (x.Type !== 'ACCRECCREDIT') return null;
  const cur = x.CurrencyCode;
  const totalMinor = amount(x.Total, cur, 'Total');
  const status = docStatus(x.Status);
  const data: CreditNote = {
    externalId: x.CreditNoteID,
    number: nz(x.CreditNoteNumber),
    reference: nz(x.Reference),
    contactExternalId: x.Contact?.ContactID ?? null,
    status,
    issueDate: day(x.DateString, x.Date, 'Date'),
    currency: cur,
    taxMode: taxMode(x.LineAmountTypes),
    subtotalMinor: amount(x.SubTotal, cur, 'SubTotal'),
    taxMinor: amount(x.TotalTax, cur, 'TotalTax'),
    totalMinor,
    ...fx(totalMinor, cur, x.CurrencyRate, o.baseCurrency),
    providerRemainingMinor:
      x.RemainingCredit === null || x.RemainingCredit === undefined
        ? null
        : amount(x.RemainingCredit, cur, 'RemainingCredit'),
  };
  const apps = allocations(
    'credit_note',
    x.CreditNoteID,
    x.Allocations,
    cur,
    status === 'voided' || status === 'deleted',
  );
  return { kind: 'credit_note', data: CreditNote.parse(data), applications: apps, raw: x };
}

function mapPrepaymentLike(
  kind: 'overpayment' | 'prepayment',
  id: string,
  x: XOverpayment | XPrepayment,
): CanonicalRecord {
  const cur = x.CurrencyCode;
  const status = docStatus(x.Status);
  const direction = x.Type.toUpperCase().startsWith('RECEIVE') ? 'receive' : 'spend';
  const data: Prepayment = {
    externalId: id,
    kind,
    contactExternalId: x.Contact?.ContactID ?? null,
    status,
    date: day(x.DateString, x.Date, 'Date'),
    currency: cur,
    totalMinor: amount(x.Total, cur, 'Total'),
    providerRemainingMinor:
      x.RemainingCredit === null || x.RemainingCredit === undefined
        ? null
        : amount(x.RemainingCredit, cur, 'RemainingCredit'),
    bankLedgerAccountExternalId: null,
    reference: nz(x.Reference),
    direction,
  };
  // a spent overpayment is allocated to bills, which are not receivables
  const apps =
    direction === 'receive'
      ? allocations(kind, id, x.Allocations, cur, status === 'voided' || status === 'deleted')
      : [];
  return { kind: 'prepayment', data: Prepayment.parse(data), applications: apps, raw: x };
}

const PAYMENT_KIND: Record<string, PaymentKind> = {
  ACCRECPAYMENT: 'invoice_payment',
  ACCPAYPAYMENT: 'bill_payment',
  ARCREDITPAYMENT: 'credit_note_refund',
  APCREDITPAYMENT: 'credit_note_refund',
  AROVERPAYMENTPAYMENT: 'overpayment_refund',
  APOVERPAYMENTPAYMENT: 'overpayment_refund',
  ARPREPAYMENTPAYMENT: 'prepayment_refund',
  APPREPAYMENTPAYMENT: 'prepayment_refund',
};

function mapPayment(x: XPayment, o: MapOpts): CanonicalRecord {
  const kind = PAYMENT_KIND[x.PaymentType.toUpperCase()];
  if (!kind) throw new FieldError('PaymentType', `unknown payment type "${x.PaymentType}"`);
  const statusText = x.Status.toUpperCase();
  const status = statusText === 'AUTHORISED' ? 'authorised' : statusText === 'DELETED' ? 'deleted' : null;
  if (!status) throw new FieldError('Status', `unknown payment status "${x.Status}"`);
  const cur =
    nz(x.Invoice?.CurrencyCode) ??
    nz(x.CreditNote?.CurrencyCode) ??
    nz(x.Overpayment?.CurrencyCode) ??
    nz(x.Prepayment?.CurrencyCode) ??
    o.baseCurrency;
  const date = day(null, x.Date, 'Date');
  const amountMinor = amount(x.Amount, cur, 'Amount');
  // Xero puts the paid document in `Invoice` for every type; the typed element wins when present.
  const docId = nz(x.Invoice?.InvoiceID);
  const invoiceExternalId = kind === 'invoice_payment' || kind === 'bill_payment' ? docId : null;
  if (kind === 'invoice_payment' && !invoiceExternalId)
    throw new FieldError('Invoice.InvoiceID', 'an invoice payment without its invoice');
  const creditNoteExternalId =
    kind === 'credit_note_refund' ? (nz(x.CreditNote?.CreditNoteID) ?? docId) : null;
  const prepaymentExternalId =
    kind === 'overpayment_refund'
      ? (nz(x.Overpayment?.OverpaymentID) ?? docId)
      : kind === 'prepayment_refund'
        ? (nz(x.Prepayment?.PrepaymentID) ?? docId)
        : null;
  const data: Payment = {
    externalId: x.PaymentID,
    kind,
    status,
    date,
    amountMinor,
    currency: cur,
    currencyRate: decimal(x.CurrencyRate, 'CurrencyRate', '1'),
    bankAmountMinor:
      x.BankAmount === null || x.BankAmount === undefined ? null : amount(x.BankAmount, cur, 'BankAmount'),
    reference: nz(x.Reference),
    bankLedgerAccountExternalId: nz(x.Account?.AccountID),
    contactExternalId: nz(x.Invoice?.Contact?.ContactID),
    invoiceExternalId,
    creditNoteExternalId,
    prepaymentExternalId,
    isReconciled: x.IsReconciled ?? false,
  };
  // Only a receivable invoice payment applies money to an invoice; refunds move credit back out.
  const applications: Application[] =
    kind === 'invoice_payment' && invoiceExternalId
      ? [
          {
            key: `payment:${x.PaymentID}`,
            source: 'payment',
            sourceExternalId: x.PaymentID,
            invoiceExternalId,
            date,
            amountMinor,
            currency: cur,
            status: status === 'deleted' ? 'reversed' : 'active',
          },
        ]
      : [];
  return { kind: 'payment', data: Payment.parse(data), applications, raw: x };
}

const BT_TYPE: Record<string, BankTransaction['type']> = {
  RECEIVE: 'receive',
  SPEND: 'spend',
  'RECEIVE-OVERPAYMENT': 'receive_overpayment',
  'RECEIVE-PREPAYMENT': 'receive_prepayment',
  'SPEND-OVERPAYMENT': 'spend_overpayment',
  'SPEND-PREPAYMENT': 'spend_prepayment',
  'RECEIVE-TRANSFER': 'transfer',
  'SPEND-TRANSFER': 'transfer',
};

function mapBankTransaction(x: XBankTransaction): CanonicalRecord {
  const type = BT_TYPE[x.Type.toUpperCase()];
  if (!type) throw new FieldError('Type', `unknown bank transaction type "${x.Type}"`);
  const cur = x.CurrencyCode;
  const total = amount(x.Total, cur, 'Total');
  const data: BankTransaction = {
    externalId: x.BankTransactionID,
    type,
    status: docStatus(x.Status),
    date: day(x.DateString, x.Date, 'Date'),
    // positive in, negative out
    amountMinor: x.Type.toUpperCase().startsWith('SPEND') ? -total : total,
    currency: cur,
    reference: nz(x.Reference),
    contactExternalId: nz(x.Contact?.ContactID),
    bankLedgerAccountExternalId: nz(x.BankAccount?.AccountID),
    isReconciled: x.IsReconciled ?? false,
    // the same money as that overpayment/prepayment: not a second receipt
    prepaymentExternalId: nz(x.OverpaymentID) ?? nz(x.PrepaymentID),
    lineAccountCodes: (x.LineItems ?? []).flatMap((l) => (l.AccountCode ? [l.AccountCode] : [])),
  };
  return { kind: 'bank_transaction', data: BankTransaction.parse(data), raw: x };
}

function mapContact(x: XContact): CanonicalRecord {
  const s = (x.ContactStatus ?? 'ACTIVE').toUpperCase();
  const status =
    s === 'ARCHIVED' ? 'archived' : s === 'GDPRREQUEST' || s === 'DELETED' ? 'deleted' : 'active';
  const data: Contact = {
    externalId: x.ContactID,
    name: x.Name,
    email: nz(x.EmailAddress),
    accountNumber: nz(x.AccountNumber),
    taxNumber: nz(x.TaxNumber),
    isCustomer: x.IsCustomer ?? false,
    status,
    parentExternalId: null,
  };
  return { kind: 'contact', data: Contact.parse(data), raw: x };
}

const CLASS_OF_TYPE: Record<string, AccountClass> = {
  BANK: 'asset',
  CURRENT: 'asset',
  FIXED: 'asset',
  INVENTORY: 'asset',
  NONCURRENT: 'asset',
  PREPAYMENT: 'asset',
  CURRLIAB: 'liability',
  LIABILITY: 'liability',
  TERMLIAB: 'liability',
  PAYGLIABILITY: 'liability',
  SUPERANNUATIONLIABILITY: 'liability',
  WAGESPAYABLELIABILITY: 'liability',
  EQUITY: 'equity',
  REVENUE: 'revenue',
  SALES: 'revenue',
  OTHERINCOME: 'revenue',
  EXPENSE: 'expense',
  DIRECTCOSTS: 'expense',
  OVERHEADS: 'expense',
  DEPRECIATN: 'expense',
  PAYG: 'expense',
  SUPERANNUATIONEXPENSE: 'expense',
  WAGESEXPENSE: 'expense',
};

function mapAccount(x: XAccount): CanonicalRecord {
  const t = x.Type.toUpperCase();
  const cls = (x.Class ?? '').toLowerCase();
  const klass: AccountClass | null =
    cls === 'asset' || cls === 'liability' || cls === 'equity' || cls === 'revenue' || cls === 'expense'
      ? cls
      : (CLASS_OF_TYPE[t] ?? null);
  const s = (x.Status ?? 'ACTIVE').toUpperCase();
  const data: Account = {
    externalId: x.AccountID,
    code: nz(x.Code),
    name: x.Name,
    type: x.Type.toLowerCase(),
    class: klass,
    status: s === 'ARCHIVED' ? 'archived' : s === 'DELETED' ? 'deleted' : 'active',
    isBank: t === 'BANK',
    bankAccountNumber: nz(x.BankAccountNumber),
    currency: nz(x.CurrencyCode),
    isReceivable: (x.SystemAccount ?? '').toUpperCase() === 'DEBTORS',
  };
  return { kind: 'account', data: Account.parse(data), raw: x };
}

function idOf(kind: EntityKind, raw: unknown): string | null {
  const f = ID_FIELD[kind];
  if (!f || typeof raw !== 'object' || raw === null) return null;
  const v = (raw as Record<string, unknown>)[f];
  return typeof v === 'string' && v !== '' ? v : null;
}

const pathText = (path: readonly PropertyKey[]): string => path.map(String).join('.');

function parse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue ? pathText(issue.path) : '';
  let at: unknown = raw;
  for (const k of issue?.path ?? []) at = (at as Record<PropertyKey, unknown> | null | undefined)?.[k];
  const message = issue && at === undefined ? 'required' : describe(issue, at);
  throw new FieldError(field, message);
}

function describe(issue: z.core.$ZodIssue | undefined, value: unknown): string {
  if (!issue) return 'invalid';
  const shown = typeof value === 'string' || typeof value === 'number' ? ` (${JSON.stringify(value)})` : '';
  return issue.code === 'invalid_union' ? `not a valid value${shown}` : `${issue.message}${shown}`;
}

/** Map one raw record of an entity page. Never throws. */
export function mapXeroRecord(kind: EntityKind, raw: unknown, o: MapOpts): MapResult {
  const externalId = idOf(kind, raw);
  try {
    switch (kind) {
      case 'accounts':
        return ok(mapAccount(parse(XAccount, raw)));
      case 'contacts':
        return ok(mapContact(parse(XContact, raw)));
      case 'invoices':
        return ok(mapInvoice(parse(XInvoice, raw), o));
      case 'credit_notes':
        return ok(mapCreditNote(parse(XCreditNote, raw), o));
      case 'overpayments': {
        const x = parse(XOverpayment, raw);
        return ok(mapPrepaymentLike('overpayment', x.OverpaymentID, x));
      }
      case 'prepayments': {
        const x = parse(XPrepayment, raw);
        return ok(mapPrepaymentLike('prepayment', x.PrepaymentID, x));
      }
      case 'payments':
        return ok(mapPayment(parse(XPayment, raw), o));
      case 'bank_transactions':
        return ok(mapBankTransaction(parse(XBankTransaction, raw)));
      default:
        // matters, GL postings, time entries … have their own mappers
        throw new FieldError('', `${kind} are not mapped by the document mapper`);
    }
  } catch (e) {
    if (e instanceof FieldError)
      return err({ entity: kind, externalId, field: e.field || null, message: e.message, raw });
    // a canonical schema refused the mapped record: name its field
    const issues = (e as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    if (Array.isArray(issues) && issues[0])
      return err({
        entity: kind,
        externalId,
        field: pathText(issues[0].path) || null,
        message: issues[0].message,
        raw,
      });
    return err({ entity: kind, externalId, field: null, message: String(e), raw });
  }
}

/** Map a page of raw records: what maps lands, what does not becomes a RecordError. */
export function mapXeroPage(
  kind: EntityKind,
  raws: readonly unknown[],
  o: MapOpts,
): { records: CanonicalRecord[]; errors: RecordError[] } {
  const records: CanonicalRecord[] = [];
  const errors: RecordError[] = [];
  for (const raw of raws) {
    const r = mapXeroRecord(kind, raw, o);
    if (!r.ok) errors.push(r.error);
    else if (r.value) records.push(r.value);
  }
  return { records, errors };
}
