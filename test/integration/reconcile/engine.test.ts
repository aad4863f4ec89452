import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { applications, exceptions, reconciliationDecisions } from '../../../src/db/schema/index.js';
import type { DbOrTx } from '../../../src/db/types.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { listDecisions, openInvoices, reconcileFirm } from '../../../src/reconcile/index.js';
import { createTestDatabase } from '../../support/db.js';
import {
  makeBankAccount,
  makeBankLine,
  makeBankTransaction,
  makeContact,
  makeInvoice,
  makePayment,
  makePrepayment,
  makeProviderApplication,
  makeXeroFirm,
} from '../../support/factories.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const clock = fixedClock('2026-11-15T12:00:00Z');

/** A firm with one of everything: every tier and every exception kind. */
async function busyFirm(db: DbOrTx) {
  const f = await makeXeroFirm(db);
  const { scope, firm, bank } = f;
  await makeContact(db, scope, { externalId: 'c-acme', name: 'Acme Limited' });
  await makeContact(db, scope, { externalId: 'c-beta', name: 'Beta Inc' });
  await makeInvoice(db, scope, {
    externalId: 'i1',
    number: 'INV-0001',
    contactExternalId: 'c-acme',
    totalMinor: 100000,
  });
  await makePayment(db, scope, {
    externalId: 'p1',
    amountMinor: 100000,
    date: '2026-11-02',
    bankLedgerAccountExternalId: 'bank-operating',
    invoiceExternalId: 'i1',
  });
  await makeInvoice(db, scope, {
    externalId: 'i42',
    number: 'INV-0042',
    contactExternalId: 'c-acme',
    totalMinor: 120000,
  });
  await makeInvoice(db, scope, {
    externalId: 'i43',
    number: 'INV-0043',
    contactExternalId: 'c-acme',
    totalMinor: 80000,
  });
  await makeInvoice(db, scope, {
    externalId: 'b1',
    number: 'INV-0100',
    contactExternalId: 'c-beta',
    totalMinor: 75000,
  });
  await makeInvoice(db, scope, {
    externalId: 'b2',
    number: 'INV-0101',
    contactExternalId: 'c-beta',
    totalMinor: 30000,
  });
  await makeInvoice(db, scope, {
    externalId: 'b3',
    number: 'INV-0102',
    contactExternalId: 'c-beta',
    totalMinor: 30000,
  });
  await makeInvoice(db, scope, { externalId: 'i70', number: 'INV-0070', totalMinor: 45000 });
  await makeBankTransaction(db, scope, {
    externalId: 'bt70',
    date: '2026-11-03',
    amountMinor: 45000,
    reference: 'INV-0070',
    bankLedgerAccountExternalId: 'bank-operating',
  });
  const trust = await makeBankAccount(db, firm.id, {
    connectionId: f.connection.id,
    ledgerAccountExternalId: 'bank-trust',
    name: 'Client Trust',
    trust: true,
  });
  const lines = {
    inBooks: await makeBankLine(db, firm.id, bank.id, {
      dedupeKey: 'l1',
      bookingDate: '2026-11-03',
      amountMinor: 100000,
      remittance: 'INV-0001',
    }),
    byRef: await makeBankLine(db, firm.id, bank.id, {
      dedupeKey: 'l2',
      bookingDate: '2026-11-04',
      amountMinor: 120000,
      remittance: 'inv 42',
    }),
    mismatch: await makeBankLine(db, firm.id, bank.id, {
      dedupeKey: 'l3',
      bookingDate: '2026-11-04',
      amountMinor: 50000,
      remittance: 'INV-0043',
    }),
    byContact: await makeBankLine(db, firm.id, bank.id, {
      dedupeKey: 'l4',
      bookingDate: '2026-11-05',
      amountMinor: 75000,
      counterpartyName: 'BETA INC',
    }),
    ambiguous: await makeBankLine(db, firm.id, bank.id, {
      dedupeKey: 'l5',
      bookingDate: '2026-11-05',
      amountMinor: 30000,
      counterpartyName: 'Beta',
    }),
    unmatched: await makeBankLine(db, firm.id, bank.id, {
      dedupeKey: 'l6',
      bookingDate: '2026-11-06',
      amountMinor: 1234,
      counterpartyName: 'Nobody',
    }),
    coded: await makeBankLine(db, firm.id, bank.id, {
      dedupeKey: 'l7',
      bookingDate: '2026-11-03',
      amountMinor: 45000,
    }),
    trust: await makeBankLine(db, firm.id, trust.id, {
      dedupeKey: 't1',
      bookingDate: '2026-11-06',
      amountMinor: 120000,
      remittance: 'INV-0042',
    }),
  };
  return { ...f, lines };
}

async function snapshotRows(db: DbOrTx, firmId: string) {
  const decisions = await db
    .select()
    .from(reconciliationDecisions)
    .where(eq(reconciliationDecisions.firmId, firmId))
    .orderBy(asc(reconciliationDecisions.id));
  const apps = await db
    .select()
    .from(applications)
    .where(eq(applications.firmId, firmId))
    .orderBy(asc(applications.id));
  const exs = await db
    .select()
    .from(exceptions)
    .where(eq(exceptions.firmId, firmId))
    .orderBy(asc(exceptions.id));
  return { decisions, apps, exs };
}

describe('reconcileFirm', () => {
  it('decides every tier once and prints the counts per tier', async () => {
    const { firm } = await busyFirm(database.db);
    const stats = await reconcileFirm(database.db, { firmId: firm.id, clock });
    expect(stats).toEqual({
      bankLinesConsidered: 8,
      alreadyInBooks: 2,
      appliedByReference: 1,
      appliedByContactAmount: 1,
      exceptionsByKind: {
        receipt_coded_directly: 1,
        amount_mismatch: 1,
        ambiguous_match: 1,
        unmatched_receipt: 1,
        trust_receipt: 1,
      },
      unchanged: 0,
      creditsConsidered: 0,
    });
  });

  it('re-running changes nothing decided: decisions, applications and exceptions row by row', async () => {
    const { firm } = await busyFirm(database.db);
    await reconcileFirm(database.db, { firmId: firm.id, clock });
    const before = await snapshotRows(database.db, firm.id);
    expect(before.decisions).toHaveLength(9);
    expect(before.apps.filter((a) => a.origin === 'ledgerbridge')).toHaveLength(2);
    expect(before.exs).toHaveLength(5);

    const later = fixedClock('2026-11-20T08:00:00Z');
    const again = await reconcileFirm(database.db, { firmId: firm.id, clock: later });
    expect(again).toEqual({
      bankLinesConsidered: 8,
      alreadyInBooks: 0,
      appliedByReference: 0,
      appliedByContactAmount: 0,
      exceptionsByKind: {},
      unchanged: 8,
      creditsConsidered: 0,
    });
    expect(await snapshotRows(database.db, firm.id)).toEqual(before);
  });

  it('never applies a line that is already in the books to an invoice, in this run or a later one', async () => {
    const { firm, scope, bank } = await makeXeroFirm(database.db);
    const db = database.db;
    // INV-0005 is 500.00, 200.00 paid in Xero: 300.00 open. The bank line of 200.00 is that payment.
    await makeInvoice(db, scope, { externalId: 'i5', number: 'INV-0005', totalMinor: 50000 });
    await makePayment(db, scope, {
      externalId: 'p5',
      amountMinor: 20000,
      date: '2026-11-02',
      bankLedgerAccountExternalId: 'bank-operating',
      invoiceExternalId: 'i5',
    });
    const l = await makeBankLine(db, firm.id, bank.id, {
      bookingDate: '2026-11-02',
      amountMinor: 20000,
      remittance: 'INV-0005 part',
    });
    await reconcileFirm(db, { firmId: firm.id, clock });
    // later an invoice appears that this line would match exactly
    await makeInvoice(db, scope, { externalId: 'i6', number: 'INV-0006', totalMinor: 20000 });
    await db.execute(sql`update bank_lines set remittance = 'INV-0005 INV-0006' where id = ${l.id}`);
    await reconcileFirm(db, { firmId: firm.id, clock });

    const ours = await db
      .select()
      .from(applications)
      .where(and(eq(applications.firmId, firm.id), eq(applications.origin, 'ledgerbridge')));
    expect(ours).toEqual([]);
    const [d] = await db
      .select()
      .from(reconciliationDecisions)
      .where(eq(reconciliationDecisions.subjectId, l.id));
    expect(d!.outcome).toBe('already_in_books');
    expect((await openInvoices(db, firm.id)).map((i) => [i.number, i.openMinor])).toEqual([
      ['INV-0005', 30000],
      ['INV-0006', 20000],
    ]);
  });

  it('a book record claimed by an earlier run is not claimed again by a new line', async () => {
    const { firm, scope, bank } = await makeXeroFirm(database.db);
    const db = database.db;
    await makeInvoice(db, scope, { externalId: 'i1', number: 'INV-0001', totalMinor: 9000 });
    await makePayment(db, scope, {
      externalId: 'p1',
      amountMinor: 9000,
      date: '2026-11-02',
      bankLedgerAccountExternalId: 'bank-operating',
      invoiceExternalId: 'i1',
    });
    await makeBankLine(db, firm.id, bank.id, {
      dedupeKey: 'a',
      bookingDate: '2026-11-02',
      amountMinor: 9000,
    });
    expect((await reconcileFirm(db, { firmId: firm.id, clock })).alreadyInBooks).toBe(1);
    // the same amount arrives again (a second statement import of new money)
    await makeBankLine(db, firm.id, bank.id, {
      dedupeKey: 'b',
      bookingDate: '2026-11-03',
      amountMinor: 9000,
    });
    const second = await reconcileFirm(db, { firmId: firm.id, clock });
    expect(second).toMatchObject({
      alreadyInBooks: 0,
      unchanged: 1,
      exceptionsByKind: { unmatched_receipt: 1 },
    });
  });

  it('stores method, confidence and evidence with the tokens, candidates and scores', async () => {
    const { firm, lines } = await busyFirm(database.db);
    await reconcileFirm(database.db, { firmId: firm.id, clock });
    const rows = await listDecisions(database.db, { firmId: firm.id, limit: 100 });
    const byRef = rows.find((r) => r.subjectId === lines.byRef.id)!;
    expect(byRef).toMatchObject({
      subjectKind: 'bank_line',
      method: 'reference',
      outcome: 'applied',
      confidence: 980,
    });
    const ev = byRef.evidence as {
      tokens: { field: string; text: string; invoiceNumber: string }[];
      candidates: { label: string; score: number }[];
      applied: { invoiceNumber: string; amountMinor: number }[];
    };
    expect(ev.tokens.map((t) => [t.field, t.text, t.invoiceNumber])).toEqual([
      ['remittance', 'inv 42', 'INV-0042'],
    ]);
    expect(ev.candidates[0]).toMatchObject({
      label: 'INV-0042 · Acme Limited · open 1200.00 USD',
      score: 850,
    });
    expect(ev.applied).toEqual([
      { invoiceId: expect.any(String), invoiceNumber: 'INV-0042', amountMinor: 120000 },
    ]);

    const byContact = rows.find((r) => r.subjectId === lines.byContact.id)!;
    expect(byContact).toMatchObject({ method: 'contact_amount', outcome: 'applied', confidence: 900 });
    expect((byContact.evidence as { contacts: { name: string; via: string }[] }).contacts).toEqual([
      { connectionId: expect.any(String), externalId: 'c-beta', name: 'Beta Inc', via: 'counterparty_name' },
    ]);
    const inBooks = rows.find((r) => r.subjectId === lines.inBooks.id)!;
    expect(inBooks).toMatchObject({ method: 'already_in_books', confidence: 950 });
    expect(inBooks.evidence).toMatchObject({ daysApart: 1, windowDays: 5 });
    // paging: two pages of 5 hold every decision once
    const page1 = await listDecisions(database.db, { firmId: firm.id, limit: 5 });
    const last = page1.at(-1)!;
    const page2 = await listDecisions(database.db, {
      firmId: firm.id,
      limit: 5,
      after: { k: last.createdAt.toISOString(), id: last.id },
    });
    expect([...page1, ...page2].map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('a failure part-way writes nothing: the run is one transaction', async () => {
    const { firm } = await busyFirm(database.db);
    const db = database.db;
    // a real constraint that breaks the run at its second application
    await db.execute(sql`create function lb_test_fail() returns trigger language plpgsql as $$
      begin
        if new.amount_minor = 75000 and new.origin = 'ledgerbridge' then raise exception 'disk full (test)'; end if;
        return new;
      end $$`);
    await db.execute(
      sql`create trigger lb_test_fail before insert on applications for each row execute function lb_test_fail()`,
    );
    try {
      await expect(reconcileFirm(db, { firmId: firm.id, clock })).rejects.toThrow();
      const rows = await snapshotRows(db, firm.id);
      expect(rows.decisions).toEqual([]);
      expect(rows.exs).toEqual([]);
      expect(rows.apps.filter((a) => a.origin === 'ledgerbridge')).toEqual([]);
    } finally {
      await db.execute(sql`drop trigger lb_test_fail on applications`);
      await db.execute(sql`drop function lb_test_fail()`);
    }
    // and the next run decides everything
    expect((await reconcileFirm(db, { firmId: firm.id, clock })).appliedByContactAmount).toBe(1);
  });

  it('two runs at once decide each subject once', async () => {
    const { firm } = await busyFirm(database.db);
    const [a, b] = await Promise.all([
      reconcileFirm(database.db, { firmId: firm.id, clock }),
      reconcileFirm(database.db, { firmId: firm.id, clock }),
    ]);
    expect([a.unchanged, b.unchanged].sort()).toEqual([0, 8]);
    const rows = await snapshotRows(database.db, firm.id);
    expect(rows.decisions).toHaveLength(9);
    expect(rows.apps.filter((x) => x.origin === 'ledgerbridge')).toHaveLength(2);
  });

  it('applies an unapplied overpayment once, lowering its remaining credit', async () => {
    const { firm, scope } = await makeXeroFirm(database.db);
    const db = database.db;
    await makeContact(db, scope, { externalId: 'c', name: 'Kappa' });
    await makeInvoice(db, scope, {
      externalId: 'k1',
      number: 'INV-0900',
      contactExternalId: 'c',
      issueDate: '2026-11-05',
      totalMinor: 4000,
    });
    const op = await makePrepayment(db, scope, {
      externalId: 'op',
      contactExternalId: 'c',
      date: '2026-11-01',
      totalMinor: 10000,
    });
    await makeProviderApplication(db, scope, {
      invoiceExternalId: 'zz',
      amountMinor: 6000,
      source: 'overpayment',
      sourceExternalId: 'op',
    });
    const stats = await reconcileFirm(db, { firmId: firm.id, clock });
    expect(stats).toMatchObject({ creditsConsidered: 1, appliedByContactAmount: 1 });
    const [app] = await db
      .select()
      .from(applications)
      .where(and(eq(applications.firmId, firm.id), eq(applications.origin, 'ledgerbridge')));
    expect(app).toMatchObject({
      source: 'overpayment',
      sourceId: op.id,
      sourceExternalId: 'op',
      invoiceExternalId: 'k1',
      amountMinor: 4000,
      // never before the invoice it pays
      date: '2026-11-05',
      status: 'active',
    });
    // the credit is used up: the next run has nothing to decide for it
    expect(await reconcileFirm(db, { firmId: firm.id, clock })).toMatchObject({
      creditsConsidered: 0,
      unchanged: 0,
    });
    expect(await openInvoices(db, firm.id)).toEqual([]);
  });

  it('rejects a window that is not a whole number of days from 0 to 31', async () => {
    await expect(reconcileFirm(database.db, { firmId: 'x', clock, windowDays: 40 })).rejects.toThrow(
      /windowDays must be a whole number of days from 0 to 31, not 40/,
    );
  });
});
