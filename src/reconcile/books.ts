import { daysBetween, formatMinor } from '../canonical/index.js';
import type { BankLineView, BookRecordView, PlannedDecision } from './model.js';

/**
 * Tier 0: a money-in bank line that the books already hold (a payment or bank transaction on the same
 * bank account, same amount, within `windowDays`) is "already in the books": nothing is applied. Each
 * unit of book money (a bank transaction and its overpayment are one unit) is claimed at most once;
 * pairs are taken closest date first, so two equal lines never share one payment.
 */
export const MATCH_BOOKS_WINDOW_DAYS = 5;

interface Unit {
  key: string;
  members: BookRecordView[];
  /** The member whose date and amount stand for the unit (the bank transaction when there is one). */
  lead: BookRecordView;
}

function unitsOf(books: BookRecordView[], claimed: Set<string>): Unit[] {
  const byUnit = new Map<string, BookRecordView[]>();
  for (const b of books) {
    const list = byUnit.get(b.unit);
    if (list) list.push(b);
    else byUnit.set(b.unit, [b]);
  }
  const units: Unit[] = [];
  for (const [key, members] of byUnit) {
    if (members.some((m) => claimed.has(`${m.kind}:${m.id}`))) continue;
    const lead = members.find((m) => m.kind === 'bank_transaction') ?? members[0]!;
    units.push({ key, members, lead });
  }
  return units;
}

/**
 * Same bank account: the line's account is linked to the record's ledger account (and connection). A line
 * on an account not linked to the books may be any of them: it matches on money and date alone, after
 * every linked pair, so a doubtful match never takes a payment from its own account's line.
 */
function accountFit(line: BankLineView, b: BookRecordView): 'same' | 'unlinked' | null {
  const a = line.account;
  if (a.ledgerAccountExternalId === null) return 'unlinked';
  if (a.ledgerAccountExternalId !== b.ledgerAccountExternalId) return null;
  return a.connectionId === null || a.connectionId === b.connectionId ? 'same' : null;
}

export function matchBooks(
  lines: BankLineView[],
  books: BookRecordView[],
  claimed: Set<string>,
  windowDays: number,
): { decisions: PlannedDecision[]; rest: BankLineView[] } {
  // index the unclaimed book money by currency and amount: a line looks only at its own bucket
  const byMoney = new Map<string, Unit[]>();
  for (const u of unitsOf(books, claimed)) {
    const k = `${u.lead.currency}|${u.lead.amountMinor}`;
    const list = byMoney.get(k);
    if (list) list.push(u);
    else byMoney.set(k, [u]);
  }
  const pairs: { line: BankLineView; unit: Unit; days: number; unlinked: boolean }[] = [];
  for (const line of lines) {
    for (const unit of byMoney.get(`${line.currency}|${line.amountMinor}`) ?? []) {
      const b = unit.lead;
      const fit = accountFit(line, b);
      if (!fit) continue;
      const days = Math.abs(daysBetween(b.date, line.date));
      if (days <= windowDays) pairs.push({ line, unit, days, unlinked: fit === 'unlinked' });
    }
  }
  pairs.sort(
    (x, y) =>
      Number(x.unlinked) - Number(y.unlinked) ||
      x.days - y.days ||
      cmp(x.line.date, y.line.date) ||
      cmp(x.line.dedupeKey, y.line.dedupeKey) ||
      cmp(x.unit.lead.date, y.unit.lead.date) ||
      cmp(x.unit.key, y.unit.key),
  );
  const perLine = new Map<string, typeof pairs>();
  for (const p of pairs) {
    const list = perLine.get(p.line.id);
    if (list) list.push(p);
    else perLine.set(p.line.id, [p]);
  }
  const takenLines = new Set<string>();
  const takenUnits = new Set<string>();
  const decisions: PlannedDecision[] = [];
  for (const p of pairs) {
    if (takenLines.has(p.line.id) || takenUnits.has(p.unit.key)) continue;
    takenLines.add(p.line.id);
    takenUnits.add(p.unit.key);
    const considered = perLine.get(p.line.id) ?? [];
    const others = considered.length - 1;
    const b = p.unit.lead;
    decisions.push({
      subjectKind: 'bank_line',
      subjectId: p.line.id,
      method: 'already_in_books',
      outcome: 'already_in_books',
      confidence: Math.max(500, 1000 - 50 * p.days - (others > 0 ? 100 : 0) - (p.unlinked ? 200 : 0)),
      applications: [],
      evidence: {
        summary: `${formatMinor(b.amountMinor, b.currency)} ${b.currency} already recorded in the books as ${describe(b)} on ${b.date}`,
        claimed: p.unit.members.map((m) => ({ kind: m.kind, id: m.id, externalId: m.externalId })),
        daysApart: p.days,
        windowDays,
        ...(p.unlinked
          ? {
              unlinkedAccount:
                'the bank account is not linked to a ledger account: matched on amount and date alone',
            }
          : {}),
        otherCandidates: others,
        considered: considered.slice(0, 5).map((q) => ({
          kind: q.unit.lead.kind,
          externalId: q.unit.lead.externalId,
          date: q.unit.lead.date,
          daysApart: q.days,
          taken: q.unit.key === p.unit.key,
        })),
      },
    });
  }
  return { decisions, rest: lines.filter((l) => !takenLines.has(l.id)) };
}

function describe(b: BookRecordView): string {
  const ref = b.reference ? ` "${b.reference}"` : '';
  switch (b.kind) {
    case 'payment':
      return `payment${ref}`;
    case 'bank_transaction':
      return `bank transaction${ref}`;
    case 'prepayment':
      return `overpayment/prepayment${ref}`;
    default: {
      const never: never = b.kind;
      return never;
    }
  }
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
