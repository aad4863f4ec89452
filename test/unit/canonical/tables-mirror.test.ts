import { describe, expectTypeOf, it } from 'vitest';
import type {
  Account,
  BankTransaction,
  Contact,
  CreditNote,
  GlPosting,
  Invoice,
  InvoiceLine,
  Payment,
  Prepayment,
  TimeEntry,
} from '../../../src/canonical/index.js';
import type {
  accounts,
  bankTransactions,
  contacts,
  creditNotes,
  glPostings,
  invoiceLines,
  invoices,
  payments,
  prepayments,
  timeEntries,
} from '../../../src/db/schema/index.js';

/**
 * The tables mirror the canonical model: every canonical field has a column of the same name (storage
 * columns such as firm, connection, raw and hash come on top). Adding a field to a zod schema without
 * its column fails the typecheck here.
 */
type Mirrors<C, Row> = Exclude<keyof C, keyof Row> extends never ? true : Exclude<keyof C, keyof Row>;

describe('tables mirror the canonical model', () => {
  it('has a column for every canonical field', () => {
    expectTypeOf<Mirrors<Omit<Invoice, 'lines'>, typeof invoices.$inferSelect>>().toEqualTypeOf<true>();
    expectTypeOf<Mirrors<InvoiceLine, typeof invoiceLines.$inferSelect>>().toEqualTypeOf<true>();
    expectTypeOf<Mirrors<CreditNote, typeof creditNotes.$inferSelect>>().toEqualTypeOf<true>();
    expectTypeOf<Mirrors<Payment, typeof payments.$inferSelect>>().toEqualTypeOf<true>();
    expectTypeOf<Mirrors<Prepayment, typeof prepayments.$inferSelect>>().toEqualTypeOf<true>();
    expectTypeOf<Mirrors<Contact, typeof contacts.$inferSelect>>().toEqualTypeOf<true>();
    expectTypeOf<Mirrors<Account, typeof accounts.$inferSelect>>().toEqualTypeOf<true>();
    expectTypeOf<Mirrors<BankTransaction, typeof bankTransactions.$inferSelect>>().toEqualTypeOf<true>();
    expectTypeOf<Mirrors<GlPosting, typeof glPostings.$inferSelect>>().toEqualTypeOf<true>();
    expectTypeOf<Mirrors<TimeEntry, typeof timeEntries.$inferSelect>>().toEqualTypeOf<true>();
  });

  it('stores money as numbers (bigint minor units) and dates as YYYY-MM-DD text', () => {
    expectTypeOf<(typeof invoices.$inferSelect)['totalMinor']>().toEqualTypeOf<Invoice['totalMinor']>();
    expectTypeOf<(typeof invoices.$inferSelect)['issueDate']>().toEqualTypeOf<Invoice['issueDate']>();
    expectTypeOf<(typeof payments.$inferSelect)['amountMinor']>().toEqualTypeOf<Payment['amountMinor']>();
  });
});
