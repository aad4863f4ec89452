import type {
  Account,
  Application,
  BankTransaction,
  Contact,
  CreditNote,
  DepositLink,
  GlPosting,
  Invoice,
  InvoiceLine,
  Item,
  Matter,
  Payment,
  TimeEntry,
} from '../../canonical/index.js';
import { convertMinor, toDecimalString, toMinor } from '../../canonical/index.js';
import type { CanonicalRecord } from '../connector.js';
import type {
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
 * Pure mapping from parsed QBO payloads to canonical records. What a mapper needs beyond the payload
 * (the company's home currency, which customers are sub-customers, which accounts are bank or A/R) comes
 * in `MapCtx`, loaded by the connector.
 */
export interface MapCtx {
  homeCurrency: string;
  /** Sub-customer id → its top-level customer id. */
  parents: ReadonlyMap<string, string>;
  /** Account id → QBO AccountType (`Bank`, `Accounts Receivable`, …) and Classification. */
  accounts: ReadonlyMap<string, { type: string; classification: string | null; number: string | null }>;
}

type Amount = number | string;
const minor = (v: Amount | undefined, currency: string): number =>
  v === undefined ? 0 : toMinor(v, currency);
const dec = (v: Amount | undefined, fallback: string): string =>
  v === undefined ? fallback : toDecimalString(v);

/** QBO voids keep the document with zero amounts and "Voided" in the private note. */
export function isVoided(x: { TotalAmt?: Amount; PrivateNote?: string | undefined }): boolean {
  return Number(x.TotalAmt ?? 0) === 0 && /\bVoided\b/.test(x.PrivateNote ?? '');
}

/** A customer id → (top-level contact, matter): a sub-customer is a matter of its top-level parent. */
function party(ctx: MapCtx, customerId: string | undefined, projectId: string | undefined) {
  if (!customerId) return { contact: null, matter: projectId ?? null };
  const parent = ctx.parents.get(customerId);
  return { contact: parent ?? customerId, matter: projectId ?? (parent ? customerId : null) };
}

export function mapCustomer(x: QCustomer, ctx: MapCtx): CanonicalRecord[] {
  const name = x.DisplayName ?? x.FullyQualifiedName ?? x.CompanyName ?? `Customer ${x.Id}`;
  const status = x.Active === false ? 'archived' : 'active';
  const contact: Contact = {
    externalId: x.Id,
    name,
    email: x.PrimaryEmailAddr?.Address ?? null,
    accountNumber: null,
    taxNumber: x.ResaleNum ?? null,
    isCustomer: true,
    status,
    parentExternalId: x.ParentRef?.value ?? null,
  };
  const out: CanonicalRecord[] = [{ kind: 'contact', data: contact, raw: x }];
  if (x.ParentRef?.value) {
    const top = ctx.parents.get(x.Id) ?? x.ParentRef.value;
    const matter: Matter = {
      externalId: x.Id,
      contactExternalId: top,
      name,
      status: x.Active === false ? 'closed' : 'open',
      estimate: null,
    };
    out.push({ kind: 'matter', data: matter, raw: x });
  }
  return out;
}

const CLASS: Record<string, Account['class']> = {
  Asset: 'asset',
  Liability: 'liability',
  Equity: 'equity',
  Revenue: 'revenue',
  Expense: 'expense',
};

export function mapAccount(x: QAccount, ctx: MapCtx): CanonicalRecord {
  const data: Account = {
    externalId: x.Id,
    code: x.AcctNum ?? null,
    name: x.Name,
    type: x.AccountType.toLowerCase(),
    class: (x.Classification && CLASS[x.Classification]) || null,
    status: x.Active === false ? 'archived' : 'active',
    isBank: x.AccountType === 'Bank',
    // BankNum: the account number the company recorded for a bank account (statements attach by it)
    bankAccountNumber: x.BankNum ?? null,
    // a company without multicurrency sends no CurrencyRef: its accounts are in the home currency
    currency: x.CurrencyRef?.value ?? ctx.homeCurrency,
    isReceivable: x.AccountType === 'Accounts Receivable',
  };
  return { kind: 'account', data, raw: x };
}

export function mapItem(x: QItem): CanonicalRecord {
  const data: Item = {
    externalId: x.Id,
    name: x.Name,
    sku: x.Sku ?? null,
    type: x.Type.toLowerCase(),
    status: x.Active === false ? 'archived' : 'active',
    description: x.Description ?? null,
    unitPrice: x.UnitPrice === undefined ? null : toDecimalString(x.UnitPrice),
    incomeAccountExternalId: x.IncomeAccountRef?.value ?? null,
  };
  return { kind: 'item', data, raw: x };
}

function taxMode(x: QInvoice, taxMinor: number): Invoice['taxMode'] {
  switch (x.GlobalTaxCalculation) {
    case 'TaxInclusive':
      return 'inclusive';
    case 'TaxExcluded':
      return 'exclusive';
    case 'NotApplicable':
      return 'none';
    default:
      return taxMinor !== 0 ? 'exclusive' : 'none';
  }
}

function lines(x: QInvoice, currency: string): InvoiceLine[] {
  return x.Line.flatMap((l): InvoiceLine[] => {
    const sign = l.DetailType === 'DiscountLineDetail' ? -1 : 1;
    if (
      l.DetailType !== 'SalesItemLineDetail' &&
      l.DetailType !== 'DiscountLineDetail' &&
      l.DetailType !== 'DescriptionOnly'
    )
      return [];
    const d = l.SalesItemLineDetail;
    const amountMinor = sign * minor(l.Amount, currency);
    return [
      {
        externalId: l.Id ?? null,
        description: l.Description ?? '',
        quantity: dec(d?.Qty, '1'),
        unitAmount: d?.UnitPrice !== undefined ? toDecimalString(d.UnitPrice) : dec(l.Amount, '0'),
        amountMinor: amountMinor === 0 ? 0 : amountMinor,
        taxMinor: 0,
        accountCode: d?.ItemAccountRef?.value ?? null,
        taxType: d?.TaxCodeRef?.value ?? null,
        itemCode: d?.ItemRef?.value ?? null,
      },
    ];
  });
}

function docAmounts(x: QInvoice, ctx: MapCtx) {
  const currency = x.CurrencyRef?.value ?? ctx.homeCurrency;
  const rate = dec(x.ExchangeRate, '1');
  const totalMinor = minor(x.TotalAmt, currency);
  const taxMinor = minor(x.TxnTaxDetail?.TotalTax, currency);
  const baseTotalMinor =
    x.HomeTotalAmt !== undefined
      ? minor(x.HomeTotalAmt, ctx.homeCurrency)
      : convertMinor(totalMinor, currency, rate, ctx.homeCurrency);
  return { currency, rate, totalMinor, taxMinor, baseTotalMinor, subtotalMinor: totalMinor - taxMinor };
}

export function mapInvoice(x: QInvoice, ctx: MapCtx): CanonicalRecord {
  const a = docAmounts(x, ctx);
  const who = party(ctx, x.CustomerRef.value, (x as { ProjectRef?: { value: string } }).ProjectRef?.value);
  const balance = x.Balance === undefined ? null : minor(x.Balance, a.currency);
  const status: Invoice['status'] = isVoided(x)
    ? 'voided'
    : balance === 0 && a.totalMinor > 0
      ? 'paid'
      : 'authorised';
  const data: Invoice = {
    externalId: x.Id,
    number: x.DocNumber ?? null,
    reference: null,
    contactExternalId: who.contact,
    matterExternalId: who.matter,
    status,
    issueDate: x.TxnDate,
    dueDate: x.DueDate ?? null,
    currency: a.currency,
    taxMode: taxMode(x, a.taxMinor),
    subtotalMinor: a.subtotalMinor,
    taxMinor: a.taxMinor,
    totalMinor: a.totalMinor,
    currencyRate: a.rate,
    baseTotalMinor: a.baseTotalMinor,
    providerAmountDueMinor: balance,
    lines: lines(x, a.currency),
  };
  return { kind: 'invoice', data, applications: [], raw: x };
}

export function mapCreditMemo(x: QCreditMemo, ctx: MapCtx): CanonicalRecord {
  const a = docAmounts(x, ctx);
  const who = party(ctx, x.CustomerRef.value, undefined);
  const remaining = x.RemainingCredit === undefined ? null : minor(x.RemainingCredit, a.currency);
  const data: CreditNote = {
    externalId: x.Id,
    number: x.DocNumber ?? null,
    reference: null,
    contactExternalId: who.contact,
    status: isVoided(x) ? 'voided' : remaining === 0 && a.totalMinor > 0 ? 'paid' : 'authorised',
    issueDate: x.TxnDate,
    currency: a.currency,
    taxMode: taxMode(x, a.taxMinor),
    subtotalMinor: a.subtotalMinor,
    taxMinor: a.taxMinor,
    totalMinor: a.totalMinor,
    currencyRate: a.rate,
    baseTotalMinor: a.baseTotalMinor,
    providerRemainingMinor: remaining,
  };
  return { kind: 'credit_note', data, applications: [], raw: x };
}

/**
 * A payment's lines link invoices (amount applied) and credit memos (credit used). Credit is spread over
 * the invoices in line order: each invoice gets a `payment` application for the cash and a `credit_note`
 * one for the credit, both keyed by the payment. What the lines leave of TotalAmt is unapplied (QBO's
 * UnappliedAmt): derived as amount − applications, never stored twice.
 */
export function mapPayment(x: QPayment, ctx: MapCtx): CanonicalRecord {
  const currency = x.CurrencyRef?.value ?? ctx.homeCurrency;
  const voided = isVoided(x);
  const invoiceLines: { id: string; amount: number }[] = [];
  const credits: { id: string; amount: number }[] = [];
  for (const l of x.Line) {
    for (const t of l.LinkedTxn) {
      if (t.TxnType === 'Invoice') invoiceLines.push({ id: t.TxnId, amount: minor(l.Amount, currency) });
      if (t.TxnType === 'CreditMemo') credits.push({ id: t.TxnId, amount: minor(l.Amount, currency) });
    }
  }
  const apps: Application[] = [];
  const base = { date: x.TxnDate, currency, status: voided ? ('reversed' as const) : ('active' as const) };
  let ci = 0;
  for (const inv of invoiceLines) {
    let cash = inv.amount;
    while (cash > 0 && ci < credits.length) {
      const c = credits[ci]!;
      const use = Math.min(cash, c.amount);
      if (use > 0) {
        apps.push({
          key: `qbo:payment:${x.Id}:${inv.id}:credit:${c.id}`,
          source: 'credit_note',
          sourceExternalId: x.Id,
          invoiceExternalId: inv.id,
          amountMinor: use,
          ...base,
        });
      }
      cash -= use;
      c.amount -= use;
      if (c.amount === 0) ci++;
    }
    if (cash > 0) {
      apps.push({
        key: `qbo:payment:${x.Id}:${inv.id}`,
        source: 'payment',
        sourceExternalId: x.Id,
        invoiceExternalId: inv.id,
        amountMinor: cash,
        ...base,
      });
    }
  }
  const who = party(ctx, x.CustomerRef?.value, (x as { ProjectRef?: { value: string } }).ProjectRef?.value);
  const data: Payment = {
    externalId: x.Id,
    kind: 'invoice_payment',
    status: voided ? 'voided' : 'authorised',
    date: x.TxnDate,
    amountMinor: minor(x.TotalAmt, currency),
    currency,
    currencyRate: dec(x.ExchangeRate, '1'),
    bankAmountMinor: null,
    reference: x.PaymentRefNum ?? null,
    bankLedgerAccountExternalId: x.DepositToAccountRef?.value ?? null,
    contactExternalId: who.contact,
    invoiceExternalId: invoiceLines.length === 1 ? (invoiceLines[0]?.id ?? null) : null,
    creditNoteExternalId: credits.length === 1 ? (credits[0]?.id ?? null) : null,
    prepaymentExternalId: null,
    isReconciled: false,
  };
  return { kind: 'payment', data, applications: apps, raw: x };
}

const LINKED: Record<string, DepositLink['linkedKind']> = {
  Payment: 'payment',
  SalesReceipt: 'sales_receipt',
  JournalEntry: 'journal_entry',
  Transfer: 'transfer',
};

/** A deposit is bank-side money; the payments it carries out of Undeposited Funds are deposit links. */
export function mapDeposit(x: QDeposit, ctx: MapCtx): CanonicalRecord[] {
  const currency = x.CurrencyRef?.value ?? ctx.homeCurrency;
  const externalId = `deposit:${x.Id}`;
  const bt: BankTransaction = {
    externalId,
    type: 'deposit',
    status: isVoided(x) ? 'voided' : 'authorised',
    date: x.TxnDate,
    amountMinor: minor(x.TotalAmt, currency),
    currency,
    reference: x.PrivateNote ?? null,
    contactExternalId: null,
    bankLedgerAccountExternalId: x.DepositToAccountRef.value,
    isReconciled: false,
    prepaymentExternalId: null,
    lineAccountCodes: x.Line.filter((l) => l.LinkedTxn.length === 0)
      .map((l) => l.DepositLineDetail?.AccountRef?.value)
      .filter((v): v is string => Boolean(v)),
  };
  const out: CanonicalRecord[] = [{ kind: 'bank_transaction', data: bt, raw: x }];
  x.Line.forEach((l, i) => {
    l.LinkedTxn.forEach((t, j) => {
      const link: DepositLink = {
        externalId: `${externalId}:${i}:${j}`,
        depositExternalId: externalId,
        linkedKind: LINKED[t.TxnType] ?? 'other',
        linkedExternalId: t.TxnId,
        amountMinor: minor(l.Amount, currency),
        currency,
      };
      out.push({ kind: 'deposit_link', data: link, raw: { deposit: x.Id, line: i, linked: t } });
    });
  });
  return out;
}

const touches = (ctx: MapCtx, id: string | undefined, types: string[]) =>
  id !== undefined && types.includes(ctx.accounts.get(id)?.type ?? '');

/** A Purchase paid from a bank account, or coded to A/R, is money the books record on the bank side. */
export function mapPurchase(x: QPurchase, ctx: MapCtx): CanonicalRecord[] {
  const lineAccounts = x.Line.map((l) => l.AccountBasedExpenseLineDetail?.AccountRef?.value).filter(
    (v): v is string => Boolean(v),
  );
  const bank =
    touches(ctx, x.AccountRef.value, ['Bank']) ||
    (!ctx.accounts.has(x.AccountRef.value) && (x.PaymentType === 'Check' || x.PaymentType === 'Cash'));
  const ar = lineAccounts.some((a) => touches(ctx, a, ['Accounts Receivable']));
  if (!bank && !ar) return [];
  const currency = x.CurrencyRef?.value ?? ctx.homeCurrency;
  const amount = minor(x.TotalAmt, currency);
  const data: BankTransaction = {
    externalId: `purchase:${x.Id}`,
    type: 'spend',
    status: isVoided(x) ? 'voided' : 'authorised',
    date: x.TxnDate,
    // a credit-card credit (Credit: true) is money back in
    amountMinor: x.Credit ? amount : -amount,
    currency,
    reference: x.DocNumber ?? null,
    contactExternalId: x.EntityRef?.value ?? null,
    bankLedgerAccountExternalId: x.AccountRef.value,
    isReconciled: false,
    prepaymentExternalId: null,
    lineAccountCodes: lineAccounts,
  };
  return [{ kind: 'bank_transaction', data, raw: x }];
}

/** A Transfer: one bank transaction per side that is a bank or A/R account. */
export function mapTransfer(x: QTransfer, ctx: MapCtx): CanonicalRecord[] {
  const currency = x.CurrencyRef?.value ?? ctx.homeCurrency;
  const amount = minor(x.Amount, currency);
  const sides: [string, string, number, string][] = [
    ['out', x.FromAccountRef.value, -amount, x.ToAccountRef.value],
    ['in', x.ToAccountRef.value, amount, x.FromAccountRef.value],
  ];
  return sides
    .filter(([, acct]) => touches(ctx, acct, ['Bank', 'Accounts Receivable']))
    .map(
      ([side, acct, amt, other]): CanonicalRecord => ({
        kind: 'bank_transaction',
        data: {
          externalId: `transfer:${x.Id}:${side}`,
          type: 'transfer',
          status: isVoided({ TotalAmt: x.Amount, PrivateNote: x.PrivateNote }) ? 'voided' : 'authorised',
          date: x.TxnDate,
          amountMinor: amt,
          currency,
          reference: x.PrivateNote ?? null,
          contactExternalId: null,
          bankLedgerAccountExternalId: acct,
          isReconciled: false,
          prepaymentExternalId: null,
          lineAccountCodes: [other],
        },
        raw: x,
      }),
    );
}

const BILLABLE: Record<string, TimeEntry['billableStatus']> = {
  Billable: 'billable',
  NotBillable: 'not_billable',
  HasBeenBilled: 'billed',
};

function minutesBetween(start: string, end: string): number {
  return Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 60_000));
}

export function mapTimeActivity(x: QTimeActivity, ctx: MapCtx): CanonicalRecord {
  const worked =
    x.Hours !== undefined || x.Minutes !== undefined
      ? (x.Hours ?? 0) * 60 + (x.Minutes ?? 0)
      : x.StartTime && x.EndTime
        ? minutesBetween(x.StartTime, x.EndTime) - (x.BreakHours ?? 0) * 60 - (x.BreakMinutes ?? 0)
        : 0;
  const who = party(ctx, x.CustomerRef?.value, (x as { ProjectRef?: { value: string } }).ProjectRef?.value);
  const user = x.EmployeeRef ?? x.VendorRef;
  const billable = BILLABLE[x.BillableStatus ?? 'NotBillable'] ?? 'not_billable';
  const data: TimeEntry = {
    externalId: x.Id,
    date: x.TxnDate,
    durationMinutes: Math.max(0, worked),
    contactExternalId: who.contact,
    matterExternalId: who.matter,
    userExternalId: user?.value ?? null,
    userName: user?.name ?? null,
    taskExternalId: x.ItemRef?.value ?? null,
    taskName: x.ItemRef?.name ?? null,
    description: x.Description ?? null,
    hourlyRate: x.HourlyRate === undefined ? null : toDecimalString(x.HourlyRate),
    rateCurrency: x.HourlyRate === undefined ? null : ctx.homeCurrency,
    billableStatus: billable,
    status: billable === 'billed' ? 'invoiced' : 'approved',
  };
  return { kind: 'time_entry', data, raw: x };
}

/** Journal entry lines → GL postings in the home currency, debit positive. */
export function mapJournalEntry(x: QJournalEntry, ctx: MapCtx): CanonicalRecord[] {
  const currency = x.CurrencyRef?.value ?? ctx.homeCurrency;
  const rate = dec(x.ExchangeRate, '1');
  return x.Line.flatMap((l, i): CanonicalRecord[] => {
    const d = l.JournalEntryLineDetail;
    if (!d) return [];
    const amount = convertMinor(minor(l.Amount, currency), currency, rate, ctx.homeCurrency);
    const data: GlPosting = {
      externalId: `je:${x.Id}:${l.Id ?? i}`,
      journalExternalId: x.Id,
      journalNumber: x.DocNumber && /^\d{1,9}$/.test(x.DocNumber) ? Number(x.DocNumber) : null,
      date: x.TxnDate,
      accountExternalId: d.AccountRef.value,
      accountCode: ctx.accounts.get(d.AccountRef.value)?.number ?? null,
      amountMinor: d.PostingType === 'Debit' ? amount : -amount,
      currency: ctx.homeCurrency,
      sourceType: 'journal_entry',
      sourceExternalId: x.Id,
      description: l.Description ?? null,
      derived: false,
    };
    return [{ kind: 'gl_posting', data, raw: l }];
  });
}
