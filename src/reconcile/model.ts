import type { Candidate, ExceptionKind, IsoDate } from '../canonical/index.js';

/**
 * The engine's in-memory view of one firm: what it loads from the canonical tables and what it decides.
 * Planning over this view is pure (src/reconcile/plan.ts); loading and writing live beside it.
 */

export type SubjectKind = 'bank_line' | 'prepayment' | 'bank_transaction';

export interface TextField {
  field: 'remittance' | 'counterparty' | 'bank_reference' | 'end_to_end_id' | 'reference';
  value: string;
}

export interface BankAccountView {
  id: string;
  name: string;
  trust: boolean;
  connectionId: string | null;
  ledgerAccountExternalId: string | null;
  currency: string;
}

/** A money-in statement line not yet decided. */
export interface BankLineView {
  id: string;
  dedupeKey: string;
  account: BankAccountView;
  date: IsoDate;
  amountMinor: number;
  currency: string;
  counterpartyName: string | null;
  counterpartyAccount: string | null;
  texts: TextField[];
  /** A person took back an automatic decision on this line: never auto-apply it again. */
  unapplied: boolean;
}

/** A received overpayment or prepayment with credit left to allocate. */
export interface CreditView {
  id: string;
  externalId: string;
  connectionId: string;
  kind: 'overpayment' | 'prepayment';
  contactExternalId: string | null;
  date: IsoDate;
  currency: string;
  remainingMinor: number;
  texts: TextField[];
}

/** A RECEIVE bank transaction coded straight to an account (not an overpayment/prepayment). */
export interface DirectReceiptView {
  id: string;
  externalId: string;
  connectionId: string;
  contactExternalId: string | null;
  date: IsoDate;
  amountMinor: number;
  currency: string;
  texts: TextField[];
}

/** A record of money the books already hold on a bank account. */
export interface BookRecordView {
  kind: 'payment' | 'bank_transaction' | 'prepayment';
  id: string;
  externalId: string;
  connectionId: string;
  ledgerAccountExternalId: string;
  date: IsoDate;
  /** In the bank account's currency. */
  amountMinor: number;
  currency: string;
  reference: string | null;
  /** Records with the same unit are the same money (a bank transaction and its overpayment). */
  unit: string;
}

export interface InvoiceView {
  id: string;
  connectionId: string;
  externalId: string;
  number: string | null;
  reference: string | null;
  contactExternalId: string | null;
  contactName: string | null;
  status: string;
  issueDate: IsoDate;
  dueDate: IsoDate | null;
  currency: string;
  totalMinor: number;
  /** Total − Σ active applications (provider and ledgerbridge), at load time. */
  openMinor: number;
}

export interface ContactView {
  connectionId: string;
  externalId: string;
  name: string;
  accountNumber: string | null;
}

export interface Snapshot {
  firmId: string;
  lines: BankLineView[];
  /** Money-in lines that already have a decision (counted, never touched). */
  decidedLines: number;
  credits: CreditView[];
  decidedCredits: number;
  directReceipts: DirectReceiptView[];
  books: BookRecordView[];
  /** Book records claimed by earlier decisions (`kind:id`). */
  claimedBooks: Set<string>;
  invoices: InvoiceView[];
  contacts: ContactView[];
}

export interface PlannedApplication {
  invoice: InvoiceView;
  amountMinor: number;
}

export interface PlannedDecision {
  subjectKind: SubjectKind;
  subjectId: string;
  method: 'already_in_books' | 'reference' | 'contact_amount' | 'suggestion' | 'held';
  outcome: 'already_in_books' | 'applied' | 'exception';
  /** 0–1000. */
  confidence: number;
  evidence: Record<string, unknown>;
  /** For applied decisions: what the money pays (application source and date). */
  applications: PlannedApplication[];
  applicationSource?: 'bank_line' | 'overpayment' | 'prepayment';
  applicationDate?: IsoDate;
  sourceExternalId?: string | null;
  exception?: {
    kind: ExceptionKind;
    reason: string;
    candidates: Candidate[];
    details: Record<string, unknown>;
  };
}

export interface ReconcileStats {
  bankLinesConsidered: number;
  alreadyInBooks: number;
  appliedByReference: number;
  appliedByContactAmount: number;
  /** New exceptions raised by this run, per kind. */
  exceptionsByKind: Record<string, number>;
  /** Subjects (bank lines, credits) decided by an earlier run: left exactly as they were. */
  unchanged: number;
  /** Unapplied received overpayments/prepayments looked at. */
  creditsConsidered: number;
}

export const emptyStats = (): ReconcileStats => ({
  bankLinesConsidered: 0,
  alreadyInBooks: 0,
  appliedByReference: 0,
  appliedByContactAmount: 0,
  exceptionsByKind: {},
  unchanged: 0,
  creditsConsidered: 0,
});
