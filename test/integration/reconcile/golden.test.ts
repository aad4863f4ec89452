import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import {
  applications,
  bankTransactions,
  exceptions,
  invoices,
  payments,
  prepayments,
  reconciliationDecisions,
} from '../../../src/db/schema/index.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { reconcileFirm } from '../../../src/reconcile/index.js';
import { createTestDatabase } from '../../support/db.js';
import { makeXeroFirm } from '../../support/factories.js';
import { cases } from './golden/cases.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const clock = fixedClock('2026-11-15T12:00:00Z');

describe('cash application golden set', () => {
  it('covers every tier and every exception kind it can raise', () => {
    const outcomes = new Set<string>();
    for (const c of cases)
      for (const e of Object.values(c.expect))
        if (e !== 'none') outcomes.add(e.exception ? e.exception.kind : `${e.method}/${e.outcome}`);
    expect([...outcomes].sort()).toEqual([
      'already_in_books/already_in_books',
      'ambiguous_match',
      'amount_mismatch',
      'contact_amount/applied',
      'receipt_coded_directly',
      'reference/applied',
      'trust_receipt',
      'unmatched_receipt',
    ]);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const db = database.db;
      const { firm, connection, bank, scope } = await makeXeroFirm(db);
      const subjects = await c.setup({
        db,
        firmId: firm.id,
        connectionId: connection.id,
        scope,
        bankId: bank.id,
      });
      const stats = await reconcileFirm(db, {
        firmId: firm.id,
        clock,
        ...(c.windowDays !== undefined ? { windowDays: c.windowDays } : {}),
      });

      const decisions = await db
        .select()
        .from(reconciliationDecisions)
        .where(eq(reconciliationDecisions.firmId, firm.id));
      const known = new Set(Object.values(subjects).map((s) => `${s.kind}:${s.id}`));
      // no decision on anything the case does not name
      expect(decisions.map((d) => `${d.subjectKind}:${d.subjectId}`).filter((k) => !known.has(k))).toEqual(
        [],
      );

      for (const [labelName, expected] of Object.entries(c.expect)) {
        const subject = subjects[labelName]!;
        const d = decisions.find((x) => x.subjectKind === subject.kind && x.subjectId === subject.id);
        if (expected === 'none') {
          expect(d, `${labelName}: no decision`).toBeUndefined();
          continue;
        }
        expect(d, `${labelName}: a decision (${c.why})`).toBeDefined();
        expect({ label: labelName, method: d!.method, outcome: d!.outcome }).toEqual({
          label: labelName,
          method: expected.method,
          outcome: expected.outcome,
        });
        expect(d!.confidence).toBeGreaterThanOrEqual(0);
        expect(d!.confidence).toBeLessThanOrEqual(1000);

        const apps = await db
          .select({
            number: invoices.number,
            amountMinor: applications.amountMinor,
            decisionId: applications.decisionId,
            source: applications.source,
          })
          .from(applications)
          .innerJoin(invoices, eq(invoices.id, applications.invoiceId))
          .where(
            and(
              eq(applications.firmId, firm.id),
              eq(applications.origin, 'ledgerbridge'),
              eq(applications.sourceId, subject.id),
            ),
          );
        const appliedList = apps.map((a) => [a.number, a.amountMinor]).sort();
        expect(appliedList, `${labelName}: applications`).toEqual(
          (expected.applied ?? []).map(([n, a]) => [n, a]).sort(),
        );
        for (const a of apps) {
          expect(a.decisionId).toBe(d!.id);
          expect(a.source).toMatch(
            subject.kind === 'bank_line' ? /^bank_line$/ : /^(overpayment|prepayment)$/,
          );
        }

        const exs = await db
          .select()
          .from(exceptions)
          .where(and(eq(exceptions.firmId, firm.id), eq(exceptions.subjectId, subject.id)));
        if (!expected.exception) {
          expect(exs, `${labelName}: no exception`).toEqual([]);
        } else {
          expect(exs.map((e) => e.kind)).toEqual([expected.exception.kind]);
          const ex = exs[0]!;
          if (typeof expected.exception.reason === 'string')
            expect(ex.reason).toBe(expected.exception.reason);
          else expect(ex.reason).toMatch(expected.exception.reason);
          const candidates = ex.candidates as { label: string; score: number; why: string }[];
          expect(candidates.length).toBeLessThanOrEqual(3);
          for (const cand of candidates) expect(cand.why.length).toBeGreaterThan(0);
          expect(candidates.map((x) => x.score)).toEqual(
            [...candidates.map((x) => x.score)].sort((a, b) => b - a),
          );
          if (expected.exception.candidates)
            expect(candidates.map((x) => x.label.split(' · ')[0])).toEqual(expected.exception.candidates);
          expect((ex.details as { decisionId?: string }).decisionId).toBe(d!.id);
        }

        if (expected.claimed) {
          const claimed = (d!.evidence as { claimed: { kind: string; id: string }[] }).claimed;
          const externalIds: string[] = [];
          for (const cl of claimed) {
            const table =
              cl.kind === 'payment' ? payments : cl.kind === 'prepayment' ? prepayments : bankTransactions;
            const [row] = await db
              .select({ externalId: table.externalId })
              .from(table)
              .where(eq(table.id, cl.id));
            externalIds.push(row!.externalId);
          }
          expect(externalIds.sort()).toEqual([...expected.claimed].sort());
        }
      }
      if (c.stats) expect(stats).toMatchObject(c.stats);
    });
  }
});
