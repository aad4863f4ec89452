import type { Candidate, ExceptionKind, IsoDate } from '../canonical/index.js';
import { matchBooks } from './books.js';
import {
  fieldWords,
  fmt,
  type IdentifiedContact,
  InvoiceIndex,
  label,
  type MoneyIn,
  type TokenHit,
} from './match.js';
import type { InvoiceView, PlannedDecision, ReconcileStats, Snapshot, SubjectKind } from './model.js';
import { emptyStats } from './model.js';

/**
 * One reconciliation run over a snapshot, pure: tier 0 (already in the books), then passes from the most
 * certain to the least — (a) invoice number/reference in the text with the exact open balance,
 * (b) exactly one open invoice of the identified payer with that amount, (c) an exception with ranked
 * candidates. Each applying pass claims the open balance it uses.
 */
export const CONFIDENCE = { reference: 980, referenceSplit: 950, contactAmount: 900 } as const;

interface Receipt {
  subjectKind: Extract<SubjectKind, 'bank_line' | 'prepayment'>;
  subjectId: string;
  date: IsoDate;
  money: MoneyIn;
  /** Never auto-applied: trust money, or a line a person took back. */
  held: { kind: ExceptionKind; reason: string } | null;
  source: 'bank_line' | 'overpayment' | 'prepayment';
  sourceExternalId: string | null;
  /** "bank line of 500.00 USD from ACME LTD on 2026-11-03". */
  words: string;
}

export function planRun(
  snap: Snapshot,
  opts: { windowDays: number },
): {
  decisions: PlannedDecision[];
  stats: ReconcileStats;
} {
  const stats = emptyStats();
  stats.bankLinesConsidered = snap.lines.length + snap.decidedLines;
  stats.creditsConsidered = snap.credits.length + snap.decidedCredits;
  stats.unchanged = snap.decidedLines + snap.decidedCredits;
  const idx = new InvoiceIndex(snap.invoices, snap.contacts);
  const decisions: PlannedDecision[] = [];

  // Receipts coded straight to an account while an invoice is open: judged on the balances as loaded.
  for (const r of snap.directReceipts) {
    const d = directReceipt(r, idx);
    if (d) decisions.push(d);
  }

  const books = matchBooks(snap.lines, snap.books, snap.claimedBooks, opts.windowDays);
  decisions.push(...books.decisions);
  stats.alreadyInBooks = books.decisions.length;

  const receipts: Receipt[] = [
    ...books.rest.map((l): Receipt => {
      const cp = l.counterpartyName ? ` from ${l.counterpartyName}` : '';
      const words = `bank line of ${fmt(l.amountMinor, l.currency)}${cp} on ${l.date}`;
      return {
        subjectKind: 'bank_line',
        subjectId: l.id,
        date: l.date,
        money: {
          amountMinor: l.amountMinor,
          currency: l.currency,
          texts: l.texts,
          knownContacts: [],
          counterpartyName: l.counterpartyName,
          counterpartyAccount: l.counterpartyAccount,
        },
        held: l.account.trust
          ? {
              kind: 'trust_receipt',
              reason: `trust money (client funds in "${l.account.name}") is never applied to operating invoices automatically`,
            }
          : l.unapplied
            ? {
                kind: 'unmatched_receipt',
                reason:
                  'a person took back the automatic decision on this line, so it is not applied again automatically',
              }
            : null,
        source: 'bank_line',
        sourceExternalId: null,
        words,
      };
    }),
    ...snap.credits.map(
      (c): Receipt => ({
        subjectKind: 'prepayment',
        subjectId: c.id,
        date: c.date,
        money: {
          amountMinor: c.remainingMinor,
          currency: c.currency,
          texts: c.texts,
          knownContacts: c.contactExternalId
            ? [{ connectionId: c.connectionId, externalId: c.contactExternalId }]
            : [],
          counterpartyName: null,
          counterpartyAccount: null,
        },
        held: null,
        source: c.kind,
        sourceExternalId: c.externalId,
        words: `unapplied ${c.kind} credit of ${fmt(c.remainingMinor, c.currency)} from ${c.date}`,
      }),
    ),
  ];

  const open = receipts.filter((r) => !r.held);
  const afterReference: Receipt[] = [];
  for (const r of open) {
    const d = referencePass(r, idx);
    if (d) decisions.push(d);
    else afterReference.push(r);
  }
  const afterContact: Receipt[] = [];
  for (const r of afterReference) {
    const d = contactAmountPass(r, idx);
    if (d) decisions.push(d);
    else afterContact.push(r);
  }
  for (const r of afterContact) decisions.push(unmatched(r, idx));
  for (const r of receipts.filter((x) => x.held)) decisions.push(heldReceipt(r, idx));

  for (const d of decisions) {
    if (d.outcome === 'applied' && d.method === 'reference') stats.appliedByReference += 1;
    if (d.outcome === 'applied' && d.method === 'contact_amount') stats.appliedByContactAmount += 1;
    if (d.exception)
      stats.exceptionsByKind[d.exception.kind] = (stats.exceptionsByKind[d.exception.kind] ?? 0) + 1;
  }
  return { decisions, stats };
}

function applied(
  r: Receipt,
  idx: InvoiceIndex,
  method: 'reference' | 'contact_amount',
  confidence: number,
  invoices: InvoiceView[],
  evidence: Record<string, unknown>,
): PlannedDecision {
  const applications = invoices.map((invoice) => ({ invoice, amountMinor: idx.open(invoice) }));
  for (const a of applications) idx.claim(a.invoice, a.amountMinor);
  const latest = [r.date, ...invoices.map((i) => i.issueDate)].sort().at(-1)!;
  return {
    subjectKind: r.subjectKind,
    subjectId: r.subjectId,
    method,
    outcome: 'applied',
    confidence,
    applications,
    applicationSource: r.source,
    applicationDate: r.source === 'bank_line' ? r.date : latest,
    sourceExternalId: r.sourceExternalId,
    evidence: {
      ...evidence,
      applied: applications.map((a) => ({
        invoiceId: a.invoice.id,
        invoiceNumber: label(a.invoice),
        amountMinor: a.amountMinor,
      })),
    },
  };
}

function exception(
  r: { subjectKind: SubjectKind; subjectId: string },
  method: PlannedDecision['method'],
  kind: ExceptionKind,
  reason: string,
  candidates: Candidate[],
  evidence: Record<string, unknown>,
): PlannedDecision {
  return {
    subjectKind: r.subjectKind,
    subjectId: r.subjectId,
    method,
    outcome: 'exception',
    confidence: candidates[0]?.score ?? 0,
    applications: [],
    evidence: { ...evidence, exceptionKind: kind, reason, candidates },
    exception: { kind, reason, candidates, details: { method } },
  };
}

/** (a) An invoice number or reference in the text, and the exact open balance. */
function referencePass(r: Receipt, idx: InvoiceIndex): PlannedDecision | null {
  const hits = idx.referenced(r.money);
  if (!hits.length) return null;
  const m = r.money;
  const invs = hits.map((h) => idx.byId.get(h.invoiceId)!);
  const contacts = idx.identify(m);
  const candidates = idx.candidates(m, hits, contacts);
  const evidence = {
    summary: `${r.words}: ${hitWords(hits)}`,
    tokens: hits,
    contacts,
    openBefore: opens(invs, idx),
    candidates,
  };
  const exact = invs.filter((i) => idx.open(i) === m.amountMinor);
  if (exact.length === 1) return applied(r, idx, 'reference', CONFIDENCE.reference, exact, evidence);
  if (exact.length > 1) {
    return exception(
      r,
      'reference',
      'ambiguous_match',
      `${r.words}: ${list(exact.map(label))} are all named in the text and all have an open balance of ${fmt(m.amountMinor, m.currency)}; which one this pays needs a person`,
      candidates,
      evidence,
    );
  }
  const openInvs = invs.filter((i) => idx.open(i) > 0);
  const sum = openInvs.reduce((s, i) => s + idx.open(i), 0);
  if (openInvs.length > 1 && sum === m.amountMinor)
    return applied(r, idx, 'reference', CONFIDENCE.referenceSplit, openInvs, { ...evidence, split: true });
  return exception(
    r,
    'reference',
    'amount_mismatch',
    `${r.words}: ${mismatchReason(r, hits, invs, idx)}`,
    candidates,
    evidence,
  );
}

function mismatchReason(r: Receipt, hits: TokenHit[], invs: InvoiceView[], idx: InvoiceIndex): string {
  const m = r.money;
  const got = fmt(m.amountMinor, m.currency);
  if (invs.length === 1) {
    const inv = invs[0]!;
    const open = idx.open(inv);
    const where = `${label(inv)} is named in the ${fieldWords(hits[0]!.field)}`;
    if (open <= 0)
      return `${where}, but it has nothing left to pay (total ${fmt(inv.totalMinor, inv.currency)}); the ${got} received is not owed on it`;
    const diff = m.amountMinor - open;
    const gap = `${fmt(Math.abs(diff), m.currency)} ${diff < 0 ? 'short' : 'more'}`;
    return `${where}, but ${got} was received against its open balance of ${fmt(open, inv.currency)} (${gap})`;
  }
  const each = invs.map((i) => `${label(i)} ${fmt(idx.open(i), i.currency)}`).join(', ');
  return `${list(invs.map(label))} are named in the text, but ${got} matches neither an open balance nor their sum (${each})`;
}

/** (b) Exactly one open invoice of the identified payer for the amount. */
function contactAmountPass(r: Receipt, idx: InvoiceIndex): PlannedDecision | null {
  const contacts = idx.identify(r.money);
  if (!contacts.length) return null;
  const m = r.money;
  const equal = idx.openOf(contacts, m.currency).filter((i) => idx.open(i) === m.amountMinor);
  if (!equal.length) return null;
  const payer = payerWords(contacts);
  const candidates = idx.candidates(m, [], contacts);
  const evidence = {
    summary: `${r.words}: payer identified as ${payer}`,
    contacts,
    openBefore: opens(equal, idx),
    candidates,
  };
  if (equal.length === 1) return applied(r, idx, 'contact_amount', CONFIDENCE.contactAmount, equal, evidence);
  return exception(
    r,
    'contact_amount',
    'ambiguous_match',
    `${r.words}: ${equal.length} open invoices of ${payer} are for ${fmt(m.amountMinor, m.currency)} (${list(equal.map(label))}); which one this pays needs a person`,
    candidates,
    evidence,
  );
}

/** (c) Nothing certain: a person decides, with up to three ranked candidates. */
function unmatched(r: Receipt, idx: InvoiceIndex): PlannedDecision {
  const m = r.money;
  const contacts = idx.identify(m);
  const candidates = idx.candidates(m, [], contacts);
  const foreign = idx.referenced(m, 'other').map((h) => idx.byId.get(h.invoiceId)!);
  const parts = [
    foreign.length
      ? `${list(foreign.map((i) => `${label(i)} (${i.currency})`))} ${foreign.length > 1 ? 'are' : 'is'} named in the text, but the money is in ${m.currency}`
      : 'the text names no invoice number or reference of an open invoice',
  ];
  if (!contacts.length) {
    parts.push(
      m.counterpartyName
        ? `the payer "${m.counterpartyName}" is not a known client`
        : 'the payer could not be identified',
    );
  } else {
    const theirs = idx.openOf(contacts, m.currency);
    const payer = payerWords(contacts);
    parts.push(
      theirs.length
        ? `${payer} has no open invoice for ${fmt(m.amountMinor, m.currency)} (open: ${theirs
            .slice(0, 3)
            .map((i) => `${label(i)} ${fmt(idx.open(i), i.currency)}`)
            .join(', ')}${theirs.length > 3 ? ', …' : ''})`
        : `${payer} has no open invoices`,
    );
  }
  const sameAmount = idx
    .withOpen(m.amountMinor, m.currency)
    .filter(
      (i) => !contacts.some((c) => c.connectionId === i.connectionId && c.externalId === i.contactExternalId),
    );
  if (sameAmount.length)
    parts.push(
      `${sameAmount.length} open invoice${sameAmount.length > 1 ? 's' : ''} of ${contacts.length ? 'other clients' : 'clients'} ${sameAmount.length > 1 ? 'have' : 'has'} this amount, but an amount alone is not enough to apply it`,
    );
  const reason = `${r.words}: ${parts.join('; ')}`;
  return exception(r, 'suggestion', 'unmatched_receipt', reason, candidates, { summary: reason, contacts });
}

/** Trust money and lines a person took back: candidates only, never applied. */
function heldReceipt(r: Receipt, idx: InvoiceIndex): PlannedDecision {
  const held = r.held!;
  const hits = idx.referenced(r.money);
  const contacts = idx.identify(r.money);
  const candidates = idx.candidates(r.money, hits, contacts);
  const top = candidates[0];
  const reason = `${r.words}: ${held.reason}; ${top ? `best candidate ${top.label} (${top.why})` : 'no open invoice matches it'}`;
  return exception(r, 'held', held.kind, reason, candidates, { summary: reason, tokens: hits, contacts });
}

/** A RECEIVE bank transaction matching an open invoice: an exception, never applied. */
function directReceipt(r: Snapshot['directReceipts'][number], idx: InvoiceIndex): PlannedDecision | null {
  const money: MoneyIn = {
    amountMinor: r.amountMinor,
    currency: r.currency,
    texts: r.texts,
    knownContacts: r.contactExternalId
      ? [{ connectionId: r.connectionId, externalId: r.contactExternalId }]
      : [],
    counterpartyName: null,
    counterpartyAccount: null,
  };
  const hits = idx.referenced(money).filter((h) => {
    const inv = idx.byId.get(h.invoiceId);
    return inv !== undefined && idx.open(inv) > 0;
  });
  const contacts = idx.identify(money);
  let method: 'reference' | 'contact_amount' = 'reference';
  let matched = hits.map((h) => idx.byId.get(h.invoiceId)!);
  if (!matched.length) {
    method = 'contact_amount';
    matched = idx.openOf(contacts, money.currency).filter((i) => idx.open(i) === money.amountMinor);
  }
  if (!matched.length) return null;
  const how =
    method === 'reference'
      ? `its reference names ${list(matched.map(label))}`
      : `same payer and amount as ${list(matched.map(label))}`;
  const from = contacts[0] ? ` from ${contacts[0].name}` : '';
  const reason = `receipt coded to an account while invoice ${list(matched.map(label))} is still open (${fmt(r.amountMinor, r.currency)} received on ${r.date}${from}; ${how})`;
  return exception(
    { subjectKind: 'bank_transaction', subjectId: r.id },
    method,
    'receipt_coded_directly',
    reason,
    idx.candidates(money, hits, contacts),
    { summary: reason, tokens: hits, contacts, bankTransactionExternalId: r.externalId },
  );
}

const opens = (invs: InvoiceView[], idx: InvoiceIndex) =>
  invs.map((i) => ({ invoiceId: i.id, invoiceNumber: label(i), openMinor: idx.open(i) }));

const hitWords = (hits: TokenHit[]) =>
  hits.map((h) => `${h.invoiceNumber} found in the ${fieldWords(h.field)} ("${h.text}")`).join(', ');

const payerWords = (contacts: IdentifiedContact[]) => list(contacts.map((c) => c.name));

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
