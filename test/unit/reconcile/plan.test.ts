import { describe, expect, it } from 'vitest';
import type {
  BankAccountView,
  BankLineView,
  BookRecordView,
  InvoiceView,
  Snapshot,
} from '../../../src/reconcile/model.js';
import { planRun } from '../../../src/reconcile/plan.js';

const account: BankAccountView = {
  id: 'acc',
  name: 'Operating',
  trust: false,
  connectionId: 'conn',
  ledgerAccountExternalId: 'bank-1',
  currency: 'USD',
};

const line = (id: string, date: string, amountMinor: number, remittance?: string): BankLineView => ({
  id,
  dedupeKey: id,
  account,
  date,
  amountMinor,
  currency: 'USD',
  counterpartyName: null,
  counterpartyAccount: null,
  texts: remittance ? [{ field: 'remittance', value: remittance }] : [],
  unapplied: false,
});

const book = (
  id: string,
  date: string,
  amountMinor: number,
  o: Partial<BookRecordView> = {},
): BookRecordView => ({
  kind: 'payment',
  id,
  externalId: id,
  connectionId: 'conn',
  ledgerAccountExternalId: 'bank-1',
  date,
  amountMinor,
  currency: 'USD',
  reference: null,
  unit: `payment:${id}`,
  ...o,
});

const invoice = (id: string, number: string, openMinor: number): InvoiceView => ({
  id,
  connectionId: 'conn',
  externalId: id,
  number,
  reference: null,
  contactExternalId: null,
  contactName: null,
  status: 'authorised',
  issueDate: '2026-10-01',
  dueDate: '2026-10-31',
  currency: 'USD',
  totalMinor: openMinor,
  openMinor,
});

const snap = (o: Partial<Snapshot>): Snapshot => ({
  firmId: 'f',
  lines: [],
  decidedLines: 0,
  credits: [],
  decidedCredits: 0,
  directReceipts: [],
  books: [],
  claimedBooks: new Set(),
  invoices: [],
  contacts: [],
  ...o,
});

const outcomes = (s: Snapshot, windowDays = 5) =>
  Object.fromEntries(
    planRun(s, { windowDays }).decisions.map((d) => [
      d.subjectId,
      `${d.method}/${d.outcome}${d.exception ? `/${d.exception.kind}` : ''}`,
    ]),
  );

describe('planRun, tier 0', () => {
  it('pairs the closest dates first, so each payment is claimed once', () => {
    const s = snap({
      lines: [line('L1', '2026-11-01', 500), line('L2', '2026-11-04', 500)],
      books: [book('P1', '2026-11-03', 500), book('P2', '2026-11-05', 500)],
    });
    const plan = planRun(s, { windowDays: 5 });
    const claimed = Object.fromEntries(
      plan.decisions.map((d) => [d.subjectId, (d.evidence.claimed as { id: string }[]).map((c) => c.id)]),
    );
    // L2–P1 (1 day) is taken first, then L1 can only have P2 (4 days)
    expect(claimed).toEqual({ L2: ['P1'], L1: ['P2'] });
  });

  it('counts a window boundary as inside and one day more as outside', () => {
    const s = snap({ lines: [line('L1', '2026-11-06', 500)], books: [book('P1', '2026-11-01', 500)] });
    expect(outcomes(s, 5).L1).toBe('already_in_books/already_in_books');
    expect(outcomes(s, 4).L1).toBe('suggestion/exception/unmatched_receipt');
  });

  it('skips book money claimed by an earlier run, and every record of the same unit with it', () => {
    const s = snap({
      lines: [line('L1', '2026-11-01', 300)],
      books: [
        book('BT', '2026-11-01', 300, { kind: 'bank_transaction', unit: 'credit:conn:OP' }),
        book('OP', '2026-11-01', 300, { kind: 'prepayment', unit: 'credit:conn:OP' }),
      ],
      claimedBooks: new Set(['prepayment:OP']),
    });
    expect(outcomes(s).L1).toBe('suggestion/exception/unmatched_receipt');
  });

  it('lets a line of an unlinked account match only after the linked lines have taken theirs', () => {
    const unlinked = {
      ...line('U1', '2026-11-03', 500),
      account: { ...account, id: 'acc2', ledgerAccountExternalId: null },
    };
    const s = snap({
      lines: [unlinked, line('L1', '2026-11-01', 500)],
      books: [book('P1', '2026-11-03', 500)],
    });
    const plan = planRun(s, { windowDays: 5 });
    const l1 = plan.decisions.find((d) => d.subjectId === 'L1')!;
    expect(l1.outcome).toBe('already_in_books');
    expect(plan.decisions.find((d) => d.subjectId === 'U1')!.outcome).toBe('exception');
    const alone = planRun(snap({ lines: [unlinked], books: [book('P1', '2026-11-03', 500)] }), {
      windowDays: 5,
    });
    expect(alone.decisions[0]).toMatchObject({ outcome: 'already_in_books', confidence: 800 });
  });

  it('needs the same bank ledger account and currency', () => {
    const s = snap({
      lines: [line('L1', '2026-11-01', 300), line('L2', '2026-11-01', 300)],
      books: [
        book('P1', '2026-11-01', 300, { ledgerAccountExternalId: 'bank-2' }),
        book('P2', '2026-11-01', 300, { currency: 'EUR' }),
      ],
    });
    expect(Object.values(outcomes(s))).toEqual([
      'suggestion/exception/unmatched_receipt',
      'suggestion/exception/unmatched_receipt',
    ]);
  });
});

describe('planRun, invoice passes', () => {
  it('claims an open balance once: the reference pass runs for every line before the amount pass', () => {
    const s = snap({
      lines: [line('L1', '2026-11-01', 700), line('L2', '2026-11-02', 700, 'INV-0001')],
      invoices: [invoice('I1', 'INV-0001', 700)],
    });
    const plan = planRun(s, { windowDays: 5 });
    expect(outcomes(s)).toEqual({ L1: 'suggestion/exception/unmatched_receipt', L2: 'reference/applied' });
    expect(plan.stats).toMatchObject({
      bankLinesConsidered: 2,
      appliedByReference: 1,
      exceptionsByKind: { unmatched_receipt: 1 },
    });
  });

  it('never lets trust money claim an invoice', () => {
    const trustLine = { ...line('T1', '2026-11-01', 700, 'INV-0001'), account: { ...account, trust: true } };
    const s = snap({
      lines: [trustLine, line('L2', '2026-11-02', 700, 'INV-0001')],
      invoices: [invoice('I1', 'INV-0001', 700)],
    });
    expect(outcomes(s)).toEqual({ T1: 'held/exception/trust_receipt', L2: 'reference/applied' });
  });
});
