import type { DbOrTx } from '../../../../src/db/types.js';
import {
  makeBankAccount,
  makeBankLine,
  makeBankTransaction,
  makeContact,
  makeInvoice,
  makePayment,
  makePrepayment,
  makeProviderApplication,
} from '../../../support/factories.js';

/**
 * The cash-application golden set: each case builds a firm's canonical rows, runs reconcileFirm once, and
 * states the decision expected for each subject and why. A changed expectation needs a commit saying why.
 */
export interface CaseCtx {
  db: DbOrTx;
  firmId: string;
  connectionId: string;
  scope: { firmId: string; connectionId: string };
  /** The operating account's id; its ledger account is `bank-operating`. */
  bankId: string;
}

export interface Expected {
  method: string;
  outcome: 'already_in_books' | 'applied' | 'exception';
  /** Ledgerbridge applications written: [invoice number, amount minor]. */
  applied?: [string, number][];
  exception?: { kind: string; reason: string | RegExp; candidates?: string[] };
  /** The book records claimed by an already_in_books decision (their external ids). */
  claimed?: string[];
}

export interface GoldenCase {
  name: string;
  /** Why the expected decision is the right one. */
  why: string;
  windowDays?: number;
  /** Builds the rows; returns the subjects by label (bank line / credit / bank transaction ids). */
  setup(c: CaseCtx): Promise<Record<string, { kind: string; id: string }>>;
  expect: Record<string, Expected | 'none'>;
  stats?: Record<string, unknown>;
}

const OP = 'bank-operating';
const line = (id: string) => ({ kind: 'bank_line', id });
const credit = (id: string) => ({ kind: 'prepayment', id });
const btx = (id: string) => ({ kind: 'bank_transaction', id });

export const cases: GoldenCase[] = [
  // ── tier 0: already in the books ────────────────────────────────────────────────────────────────
  {
    name: 'a line matching a Xero payment on the same account is already in the books',
    why: 'the payment already paid INV-0001 in Xero; applying the line too would pay it twice',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i1', number: 'INV-0001', totalMinor: 100000 });
      await makePayment(db, scope, {
        externalId: 'p1',
        amountMinor: 100000,
        date: '2026-11-02',
        bankLedgerAccountExternalId: OP,
        invoiceExternalId: 'i1',
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-04',
        amountMinor: 100000,
        remittance: 'INV-0001',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'already_in_books', outcome: 'already_in_books', claimed: ['p1'], applied: [] } },
    stats: { bankLinesConsidered: 1, alreadyInBooks: 1, appliedByReference: 0, exceptionsByKind: {} },
  },
  {
    name: 'a line matching a bank transaction in the books is already in the books',
    why: 'interest received is recorded as a RECEIVE bank transaction; it is the same money',
    async setup({ db, scope, firmId, bankId }) {
      await makeBankTransaction(db, scope, {
        externalId: 'bt-int',
        date: '2026-11-05',
        amountMinor: 2500,
        reference: 'Interest',
        bankLedgerAccountExternalId: OP,
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-05',
        amountMinor: 2500,
        remittance: 'INTEREST',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'already_in_books', outcome: 'already_in_books', claimed: ['bt-int'] } },
  },
  {
    name: 'a payment on another bank account does not make a line already in the books',
    why: 'same amount and day, but the money went into a different ledger account',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i1', number: 'INV-0002', totalMinor: 5000 });
      await makePayment(db, scope, {
        externalId: 'p1',
        amountMinor: 5000,
        date: '2026-11-02',
        bankLedgerAccountExternalId: 'bank-savings',
        invoiceExternalId: 'i1',
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-02',
        amountMinor: 5000,
        counterpartyName: 'Unknown Payer',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'suggestion',
        outcome: 'exception',
        exception: { kind: 'unmatched_receipt', reason: /"Unknown Payer" is not a known client/ },
      },
    },
  },
  {
    name: 'a line on a bank account not linked to the books still finds its payment there',
    why: 'without a ledger link the engine cannot tell which account the payment went to, so it will not risk applying the money twice',
    async setup({ db, scope, firmId }) {
      const unlinked = await makeBankAccount(db, firmId, {
        name: 'Imported account',
        ledgerAccountExternalId: null,
      });
      await makeInvoice(db, scope, { externalId: 'i1', number: 'INV-0004', totalMinor: 7000 });
      await makePayment(db, scope, {
        externalId: 'p1',
        amountMinor: 7000,
        date: '2026-11-02',
        bankLedgerAccountExternalId: OP,
        invoiceExternalId: 'i1',
      });
      const l = await makeBankLine(db, firmId, unlinked.id, { bookingDate: '2026-11-03', amountMinor: 7000 });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'already_in_books', outcome: 'already_in_books', claimed: ['p1'] } },
  },
  {
    name: 'two equal lines cannot both claim one payment; the closer date wins',
    why: 'one payment is one receipt: the second line of the same amount is new money',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i1', number: 'INV-0003', totalMinor: 50000 });
      await makePayment(db, scope, {
        externalId: 'p1',
        amountMinor: 50000,
        date: '2026-11-03',
        bankLedgerAccountExternalId: OP,
        invoiceExternalId: 'i1',
      });
      const far = await makeBankLine(db, firmId, bankId, {
        dedupeKey: 'a',
        bookingDate: '2026-11-01',
        amountMinor: 50000,
      });
      const near = await makeBankLine(db, firmId, bankId, {
        dedupeKey: 'b',
        bookingDate: '2026-11-04',
        amountMinor: 50000,
      });
      return { far: line(far.id), near: line(near.id) };
    },
    expect: {
      near: { method: 'already_in_books', outcome: 'already_in_books', claimed: ['p1'] },
      far: {
        method: 'suggestion',
        outcome: 'exception',
        exception: { kind: 'unmatched_receipt', reason: /the payer could not be identified/ },
      },
    },
    stats: { bankLinesConsidered: 2, alreadyInBooks: 1, exceptionsByKind: { unmatched_receipt: 1 } },
  },
  {
    name: 'an overpayment and its bank transaction are one receipt, claimed once',
    why: 'Xero records an overpayment as a RECEIVE-OVERPAYMENT bank transaction carrying its OverpaymentID: the same money, never a second receipt',
    async setup({ db, scope, firmId, bankId }) {
      await makeContact(db, scope, { externalId: 'c-op', name: 'Orbit Partners' });
      await makePrepayment(db, scope, {
        externalId: 'op1',
        contactExternalId: 'c-op',
        date: '2026-11-04',
        totalMinor: 30000,
        bankLedgerAccountExternalId: OP,
      });
      await makeBankTransaction(db, scope, {
        externalId: 'bt-op1',
        type: 'receive_overpayment',
        date: '2026-11-04',
        amountMinor: 30000,
        contactExternalId: 'c-op',
        bankLedgerAccountExternalId: OP,
        prepaymentExternalId: 'op1',
      });
      const first = await makeBankLine(db, firmId, bankId, {
        dedupeKey: 'a',
        bookingDate: '2026-11-04',
        amountMinor: 30000,
      });
      const second = await makeBankLine(db, firmId, bankId, {
        dedupeKey: 'b',
        bookingDate: '2026-11-05',
        amountMinor: 30000,
      });
      const op = await db.query.prepayments.findFirst({ where: (p, { eq }) => eq(p.externalId, 'op1') });
      return { first: line(first.id), second: line(second.id), op: credit(op!.id) };
    },
    expect: {
      first: { method: 'already_in_books', outcome: 'already_in_books', claimed: ['bt-op1', 'op1'] },
      second: {
        method: 'suggestion',
        outcome: 'exception',
        exception: { kind: 'unmatched_receipt', reason: /could not be identified/ },
      },
      // the credit itself is still unapplied: a person decides what it pays
      op: {
        method: 'suggestion',
        outcome: 'exception',
        exception: { kind: 'unmatched_receipt', reason: /Orbit Partners has no open invoices$/ },
      },
    },
  },
  {
    name: 'a payment booked outside the window is not the same money',
    why: 'nine days apart is more than MATCH_BOOKS_WINDOW_DAYS (5); the line names an invoice that is already paid',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i1', number: 'INV-0009', totalMinor: 40000 });
      await makePayment(db, scope, {
        externalId: 'p1',
        amountMinor: 40000,
        date: '2026-11-01',
        bankLedgerAccountExternalId: OP,
        invoiceExternalId: 'i1',
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-10',
        amountMinor: 40000,
        remittance: 'INV-0009',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'reference',
        outcome: 'exception',
        exception: {
          kind: 'amount_mismatch',
          reason:
            'bank line of 400.00 USD on 2026-11-10: INV-0009 is named in the remittance text, but it has nothing left to pay (total 400.00 USD); the 400.00 USD received is not owed on it',
          candidates: ['INV-0009'],
        },
      },
    },
  },
  {
    name: 'a wider window makes the same line already in the books',
    why: 'with windowDays 10 the payment nine days earlier is the same money',
    windowDays: 10,
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i1', number: 'INV-0009', totalMinor: 40000 });
      await makePayment(db, scope, {
        externalId: 'p1',
        amountMinor: 40000,
        date: '2026-11-01',
        bankLedgerAccountExternalId: OP,
        invoiceExternalId: 'i1',
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-10',
        amountMinor: 40000,
        remittance: 'INV-0009',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'already_in_books', outcome: 'already_in_books', claimed: ['p1'] } },
  },
  {
    name: 'a deleted payment is not money in the books, and the invoice it paid is open again',
    why: 'Xero DELETED means reversed: its application no longer counts',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i1', number: 'INV-0010', totalMinor: 12000 });
      await makePayment(db, scope, {
        externalId: 'p1',
        status: 'deleted',
        amountMinor: 12000,
        date: '2026-11-02',
        bankLedgerAccountExternalId: OP,
        invoiceExternalId: 'i1',
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-02',
        amountMinor: 12000,
        remittance: 'Invoice 10',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'reference', outcome: 'applied', applied: [['INV-0010', 12000]] } },
  },

  // ── (a) invoice number or reference in the text ────────────────────────────────────────────────
  {
    name: 'an invoice number in the remittance, normalised, with the exact open balance is applied',
    why: '"inv 0042" is INV-0042 once case, spaces, punctuation and leading zeros are dropped',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i42', number: 'INV-0042', totalMinor: 120000 });
      await makeInvoice(db, scope, { externalId: 'i420', number: 'INV-0420', totalMinor: 120000 });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 120000,
        remittance: 'pmt inv 0042 thank you',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'reference', outcome: 'applied', applied: [['INV-0042', 120000]] } },
    stats: { appliedByReference: 1, appliedByContactAmount: 0, exceptionsByKind: {} },
  },
  {
    name: 'an invoice number in the end-to-end id is applied',
    why: 'SEPA/ACH end-to-end ids often carry the invoice number',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i7', number: 'INV-0007', totalMinor: 9900 });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 9900,
        endToEndId: 'E2E/INV7',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'reference', outcome: 'applied', applied: [['INV-0007', 9900]] } },
  },
  {
    name: "an invoice's own reference in the bank reference is applied",
    why: "the invoice's reference (a matter code) identifies it as well as its number",
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, {
        externalId: 'i8',
        number: 'INV-0008',
        reference: 'MAT-2231',
        totalMinor: 31000,
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 31000,
        bankReference: 'mat2231',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'reference', outcome: 'applied', applied: [['INV-0008', 31000]] } },
  },
  {
    name: 'the open balance is derived from the applications already on the invoice',
    why: 'INV-0044 is 1,000.00 with 400.00 already paid in Xero: 600.00 is what is open',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i44', number: 'INV-0044', totalMinor: 100000 });
      await makeProviderApplication(db, scope, { invoiceExternalId: 'i44', amountMinor: 40000 });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 60000,
        remittance: 'INV-0044 balance',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'reference', outcome: 'applied', applied: [['INV-0044', 60000]] } },
  },
  {
    name: 'two invoice numbers whose open balances sum to the amount are both applied',
    why: 'one payment for several invoices, each named in the text: the split is exact',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i50', number: 'INV-0050', totalMinor: 30000 });
      await makeInvoice(db, scope, { externalId: 'i51', number: 'INV-0051', totalMinor: 20000 });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 50000,
        remittance: 'INV-0050 / INV-0051',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'reference',
        outcome: 'applied',
        applied: [
          ['INV-0050', 30000],
          ['INV-0051', 20000],
        ],
      },
    },
  },
  {
    name: 'an invoice number with a short amount is an amount mismatch, the gap in words',
    why: 'a partial payment needs a person: apply it partly, or ask for the rest',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i43', number: 'INV-0043', totalMinor: 80000 });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 50000,
        remittance: 'INV-0043',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'reference',
        outcome: 'exception',
        exception: {
          kind: 'amount_mismatch',
          reason:
            'bank line of 500.00 USD on 2026-11-06: INV-0043 is named in the remittance text, but 500.00 USD was received against its open balance of 800.00 USD (300.00 USD short)',
          candidates: ['INV-0043'],
        },
      },
    },
    stats: { exceptionsByKind: { amount_mismatch: 1 } },
  },
  {
    name: 'an invoice number with too much money is an amount mismatch',
    why: 'an overpayment against a named invoice needs a person (refund or credit)',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i45', number: 'INV-0045', totalMinor: 80000 });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 90000,
        remittance: 'INV-0045',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'reference',
        outcome: 'exception',
        exception: { kind: 'amount_mismatch', reason: /\(100\.00 USD more\)$/ },
      },
    },
  },
  {
    name: 'one number that names two open invoices of the same amount is ambiguous',
    why: "INV-0060 is one invoice's number and another's reference: which one is meant needs a person",
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i60', number: 'INV-0060', totalMinor: 10000 });
      await makeInvoice(db, scope, {
        externalId: 'i61',
        number: 'INV-0061',
        reference: 'INV-0060',
        totalMinor: 10000,
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 10000,
        remittance: 'INV-0060',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'reference',
        outcome: 'exception',
        exception: {
          kind: 'ambiguous_match',
          reason: /INV-0060 and INV-0061 are all named/,
          candidates: ['INV-0060', 'INV-0061'],
        },
      },
    },
  },
  {
    name: 'an open balance is used once within a run',
    why: 'two lines name INV-0090 for its full amount: the first pays it, the second finds nothing left',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i90', number: 'INV-0090', totalMinor: 10000 });
      const a = await makeBankLine(db, firmId, bankId, {
        dedupeKey: 'a',
        bookingDate: '2026-11-06',
        amountMinor: 10000,
        remittance: 'INV-0090',
      });
      const b = await makeBankLine(db, firmId, bankId, {
        dedupeKey: 'b',
        bookingDate: '2026-11-07',
        amountMinor: 10000,
        remittance: 'INV-0090',
      });
      return { a: line(a.id), b: line(b.id) };
    },
    expect: {
      a: { method: 'reference', outcome: 'applied', applied: [['INV-0090', 10000]] },
      b: {
        method: 'reference',
        outcome: 'exception',
        exception: { kind: 'amount_mismatch', reason: /nothing left to pay/ },
      },
    },
  },
  {
    name: 'an invoice in another currency is not matched',
    why: 'a EUR invoice cannot take a USD line as it stands (FX is a later tier)',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, {
        externalId: 'ie',
        number: 'INV-0100',
        totalMinor: 10000,
        currency: 'EUR',
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 10000,
        remittance: 'INV-0100',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'suggestion',
        outcome: 'exception',
        exception: {
          kind: 'unmatched_receipt',
          reason:
            'bank line of 100.00 USD on 2026-11-06: INV-0100 (EUR) is named in the text, but the money is in USD; the payer could not be identified',
        },
      },
    },
  },

  // ── (b) the identified client and the amount ────────────────────────────────────────────────────
  {
    name: 'the only open invoice of the payer, identified by normalised name, with the amount is applied',
    why: '"ACME LTD." is the contact "Acme Limited"; its one open invoice for 750.00 is what this pays',
    async setup({ db, scope, firmId, bankId }) {
      await makeContact(db, scope, { externalId: 'c-acme', name: 'Acme Limited' });
      await makeInvoice(db, scope, {
        externalId: 'a1',
        number: 'INV-0200',
        contactExternalId: 'c-acme',
        totalMinor: 75000,
      });
      await makeInvoice(db, scope, {
        externalId: 'a2',
        number: 'INV-0201',
        contactExternalId: 'c-acme',
        totalMinor: 20000,
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 75000,
        counterpartyName: 'ACME LTD.',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'contact_amount', outcome: 'applied', applied: [['INV-0200', 75000]] } },
    stats: { appliedByContactAmount: 1, appliedByReference: 0 },
  },
  {
    name: 'the payer identified by account number is matched on amount',
    why: 'the counterparty account equals the contact account number',
    async setup({ db, scope, firmId, bankId }) {
      await makeContact(db, scope, { externalId: 'c-b', name: 'Birch & Co', accountNumber: '12-3456-0001' });
      await makeInvoice(db, scope, {
        externalId: 'b1',
        number: 'INV-0210',
        contactExternalId: 'c-b',
        totalMinor: 43210,
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 43210,
        counterpartyName: 'B HOLDINGS',
        counterpartyAccount: '1234560001',
      });
      return { l: line(l.id) };
    },
    expect: { l: { method: 'contact_amount', outcome: 'applied', applied: [['INV-0210', 43210]] } },
  },
  {
    name: 'several open invoices of the payer with the amount are ambiguous',
    why: 'two monthly invoices of 400.00: which month this pays needs a person',
    async setup({ db, scope, firmId, bankId }) {
      await makeContact(db, scope, { externalId: 'c-acme', name: 'Acme Limited' });
      await makeInvoice(db, scope, {
        externalId: 'm1',
        number: 'INV-0301',
        contactExternalId: 'c-acme',
        totalMinor: 40000,
        dueDate: '2026-10-31',
      });
      await makeInvoice(db, scope, {
        externalId: 'm2',
        number: 'INV-0302',
        contactExternalId: 'c-acme',
        totalMinor: 40000,
        dueDate: '2026-11-30',
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 40000,
        counterpartyName: 'Acme',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'contact_amount',
        outcome: 'exception',
        exception: {
          kind: 'ambiguous_match',
          reason:
            'bank line of 400.00 USD from Acme on 2026-11-06: 2 open invoices of Acme Limited are for 400.00 USD (INV-0301 and INV-0302); which one this pays needs a person',
          candidates: ['INV-0301', 'INV-0302'],
        },
      },
    },
    stats: { exceptionsByKind: { ambiguous_match: 1 } },
  },

  // ── (c) the rest: a person decides, with candidates ──────────────────────────────────────────────
  {
    name: 'a known payer with no open invoice for the amount is unmatched, its open invoices listed',
    why: 'Acme paid 320.00 but owes 500.00 on one invoice: a person decides',
    async setup({ db, scope, firmId, bankId }) {
      await makeContact(db, scope, { externalId: 'c-acme', name: 'Acme Limited' });
      await makeInvoice(db, scope, {
        externalId: 'x1',
        number: 'INV-0400',
        contactExternalId: 'c-acme',
        totalMinor: 50000,
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 32000,
        counterpartyName: 'ACME',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'suggestion',
        outcome: 'exception',
        exception: {
          kind: 'unmatched_receipt',
          reason:
            'bank line of 320.00 USD from ACME on 2026-11-06: the text names no invoice number or reference of an open invoice; Acme Limited has no open invoice for 320.00 USD (open: INV-0400 500.00 USD)',
          candidates: ['INV-0400'],
        },
      },
    },
  },
  {
    name: "an unknown payer whose amount equals another client's invoice is a suggestion, not applied",
    why: 'an amount alone is not enough to apply money',
    async setup({ db, scope, firmId, bankId }) {
      await makeContact(db, scope, { externalId: 'c-z', name: 'Zenith Ltd' });
      await makeInvoice(db, scope, {
        externalId: 'z1',
        number: 'INV-0500',
        contactExternalId: 'c-z',
        totalMinor: 64000,
      });
      await makeInvoice(db, scope, {
        externalId: 'z2',
        number: 'INV-0501',
        contactExternalId: 'c-z',
        totalMinor: 99000,
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 64000,
        counterpartyName: 'J SMITH',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'suggestion',
        outcome: 'exception',
        exception: {
          kind: 'unmatched_receipt',
          reason:
            'bank line of 640.00 USD from J SMITH on 2026-11-06: the text names no invoice number or reference of an open invoice; the payer "J SMITH" is not a known client; 1 open invoice of clients has this amount, but an amount alone is not enough to apply it',
          candidates: ['INV-0500'],
        },
      },
    },
  },

  // ── receipts coded directly, trust money, lines a person took back ───────────────────────────────
  {
    name: 'a RECEIVE bank transaction naming an open invoice is receipt_coded_directly, never applied',
    why: 'the receipt was coded to income in Xero while INV-0070 stays open; its bank line is already in the books',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i70', number: 'INV-0070', totalMinor: 45000 });
      const bt = await makeBankTransaction(db, scope, {
        externalId: 'bt70',
        date: '2026-11-03',
        amountMinor: 45000,
        reference: 'INV-0070',
        bankLedgerAccountExternalId: OP,
      });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-03',
        amountMinor: 45000,
        remittance: 'INV-0070',
      });
      return { bt: btx(bt.id), l: line(l.id) };
    },
    expect: {
      bt: {
        method: 'reference',
        outcome: 'exception',
        exception: {
          kind: 'receipt_coded_directly',
          reason:
            'receipt coded to an account while invoice INV-0070 is still open (450.00 USD received on 2026-11-03; its reference names INV-0070)',
          candidates: ['INV-0070'],
        },
      },
      l: { method: 'already_in_books', outcome: 'already_in_books', claimed: ['bt70'], applied: [] },
    },
    stats: { alreadyInBooks: 1, appliedByReference: 0, exceptionsByKind: { receipt_coded_directly: 1 } },
  },
  {
    name: "a RECEIVE bank transaction from a client for an open invoice's amount is receipt_coded_directly",
    why: 'same client and same amount as the open invoice: most likely the invoice payment, coded to an account',
    async setup({ db, scope }) {
      await makeContact(db, scope, { externalId: 'c-d', name: 'Delta LLP' });
      await makeInvoice(db, scope, {
        externalId: 'd1',
        number: 'INV-0071',
        contactExternalId: 'c-d',
        totalMinor: 15000,
      });
      const bt = await makeBankTransaction(db, scope, {
        externalId: 'bt71',
        date: '2026-11-03',
        amountMinor: 15000,
        contactExternalId: 'c-d',
        bankLedgerAccountExternalId: OP,
      });
      return { bt: btx(bt.id) };
    },
    expect: {
      bt: {
        method: 'contact_amount',
        outcome: 'exception',
        exception: {
          kind: 'receipt_coded_directly',
          reason: /^receipt coded to an account while invoice INV-0071 is still open/,
        },
      },
    },
  },
  {
    name: 'a RECEIVE bank transaction that matches no invoice is left alone',
    why: 'money coded to an account (interest, a refund received) is not a mistake by itself',
    async setup({ db, scope }) {
      await makeInvoice(db, scope, { externalId: 'i1', number: 'INV-0072', totalMinor: 15000 });
      const bt = await makeBankTransaction(db, scope, {
        date: '2026-11-03',
        amountMinor: 777,
        reference: 'Interest',
        bankLedgerAccountExternalId: OP,
      });
      return { bt: btx(bt.id) };
    },
    expect: { bt: 'none' },
  },
  {
    name: 'trust money is never auto-applied, even with an exact reference',
    why: 'client funds in a trust account are kept apart from operating invoices',
    async setup({ db, scope, firmId, connectionId }) {
      const trust = await makeBankAccount(db, firmId, {
        connectionId,
        ledgerAccountExternalId: 'bank-trust',
        name: 'Client Trust Account',
        trust: true,
      });
      await makeInvoice(db, scope, { externalId: 'i80', number: 'INV-0080', totalMinor: 20000 });
      const l = await makeBankLine(db, firmId, trust.id, {
        bookingDate: '2026-11-06',
        amountMinor: 20000,
        remittance: 'INV-0080',
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'held',
        outcome: 'exception',
        exception: {
          kind: 'trust_receipt',
          reason:
            /^bank line of 200\.00 USD on 2026-11-06: trust money \(client funds in "Client Trust Account"\) is never applied to operating invoices automatically; best candidate INV-0080/,
          candidates: ['INV-0080'],
        },
        applied: [],
      },
    },
    stats: { exceptionsByKind: { trust_receipt: 1 } },
  },
  {
    name: 'a line a person took back is not applied again automatically',
    why: 'a coordinator unapplied it: the engine only suggests',
    async setup({ db, scope, firmId, bankId }) {
      await makeInvoice(db, scope, { externalId: 'i81', number: 'INV-0081', totalMinor: 20000 });
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: 20000,
        remittance: 'INV-0081',
        unappliedAt: new Date('2026-11-10T10:00:00Z'),
      });
      return { l: line(l.id) };
    },
    expect: {
      l: {
        method: 'held',
        outcome: 'exception',
        exception: { kind: 'unmatched_receipt', reason: /a person took back/, candidates: ['INV-0081'] },
      },
    },
  },

  // ── received overpayments and prepayments ───────────────────────────────────────────────────────
  {
    name: "an unapplied overpayment is applied to its client's one open invoice of that amount",
    why: 'the overpayment is credit of Beta; Beta owes exactly 150.00 on one invoice',
    async setup({ db, scope }) {
      await makeContact(db, scope, { externalId: 'c-beta', name: 'Beta Inc' });
      await makeInvoice(db, scope, {
        externalId: 'b1',
        number: 'INV-0600',
        contactExternalId: 'c-beta',
        totalMinor: 15000,
      });
      const op = await makePrepayment(db, scope, {
        externalId: 'op-b',
        contactExternalId: 'c-beta',
        date: '2026-11-01',
        totalMinor: 15000,
      });
      return { op: credit(op.id) };
    },
    expect: { op: { method: 'contact_amount', outcome: 'applied', applied: [['INV-0600', 15000]] } },
    stats: { creditsConsidered: 1, appliedByContactAmount: 1 },
  },
  {
    name: 'what is left of a partly allocated prepayment is matched by its reference',
    why: '500.00 received, 350.00 allocated in Xero: 150.00 left, and its reference names INV-0610',
    async setup({ db, scope }) {
      await makeContact(db, scope, { externalId: 'c-g', name: 'Gamma' });
      await makeInvoice(db, scope, {
        externalId: 'g1',
        number: 'INV-0610',
        contactExternalId: 'c-g',
        totalMinor: 15000,
      });
      const pp = await makePrepayment(db, scope, {
        externalId: 'pp-g',
        kind: 'prepayment',
        contactExternalId: 'c-g',
        date: '2026-10-20',
        totalMinor: 50000,
        reference: 'for INV-0610',
      });
      await makeProviderApplication(db, scope, {
        invoiceExternalId: 'other',
        amountMinor: 35000,
        source: 'prepayment',
        sourceExternalId: 'pp-g',
      });
      return { pp: credit(pp.id) };
    },
    expect: { pp: { method: 'reference', outcome: 'applied', applied: [['INV-0610', 15000]] } },
  },
  {
    name: 'an unapplied overpayment with no matching invoice goes to a person',
    why: 'credit waiting with nothing it could pay: refund or leave on account is a judgement call',
    async setup({ db, scope }) {
      await makeContact(db, scope, { externalId: 'c-e', name: 'Epsilon' });
      const op = await makePrepayment(db, scope, {
        externalId: 'op-e',
        contactExternalId: 'c-e',
        date: '2026-11-01',
        totalMinor: 2500,
      });
      return { op: credit(op.id) };
    },
    expect: {
      op: {
        method: 'suggestion',
        outcome: 'exception',
        exception: {
          kind: 'unmatched_receipt',
          reason:
            'unapplied overpayment credit of 25.00 USD from 2026-11-01: the text names no invoice number or reference of an open invoice; Epsilon has no open invoices',
        },
      },
    },
  },
  {
    name: 'a fully allocated or refunded overpayment is not a subject',
    why: 'no credit left: nothing to decide',
    async setup({ db, scope }) {
      await makeContact(db, scope, { externalId: 'c-f', name: 'Phi' });
      await makeInvoice(db, scope, {
        externalId: 'f1',
        number: 'INV-0620',
        contactExternalId: 'c-f',
        totalMinor: 2500,
      });
      const op = await makePrepayment(db, scope, {
        externalId: 'op-f',
        contactExternalId: 'c-f',
        date: '2026-11-01',
        totalMinor: 2500,
      });
      await makePayment(db, scope, {
        kind: 'overpayment_refund',
        amountMinor: 2500,
        date: '2026-11-02',
        bankLedgerAccountExternalId: OP,
        prepaymentExternalId: 'op-f',
      });
      return { op: credit(op.id) };
    },
    expect: { op: 'none' },
    stats: { creditsConsidered: 0 },
  },
  {
    name: 'money going out is not considered',
    why: 'only money-in lines are receipts',
    async setup({ db, firmId, bankId }) {
      const l = await makeBankLine(db, firmId, bankId, {
        bookingDate: '2026-11-06',
        amountMinor: -5000,
        remittance: 'INV-0001',
      });
      return { l: line(l.id) };
    },
    expect: { l: 'none' },
    stats: { bankLinesConsidered: 0 },
  },
];
