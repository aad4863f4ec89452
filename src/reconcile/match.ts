import type { Candidate } from '../canonical/index.js';
import { formatMinor } from '../canonical/index.js';
import { cmp } from './books.js';
import type { ContactView, InvoiceView, TextField } from './model.js';
import { accountKey, isSearchableKey, keysInText, nameKey, nameWords, referenceKey } from './normalise.js';

/**
 * Matching money to open invoices, over an in-memory index. `remaining` holds each invoice's open
 * balance as this run has left it: a pass that applies money lowers it, so an open balance is used once.
 */
export interface MoneyIn {
  amountMinor: number;
  currency: string;
  texts: TextField[];
  /** Contacts known for certain (an overpayment's contact). */
  knownContacts: { connectionId: string; externalId: string }[];
  counterpartyName: string | null;
  counterpartyAccount: string | null;
}

export interface TokenHit {
  field: TextField['field'];
  text: string;
  invoiceId: string;
  invoiceNumber: string;
  on: 'number' | 'reference';
}

export interface IdentifiedContact {
  connectionId: string;
  externalId: string;
  name: string;
  via: 'known' | 'counterparty_name' | 'remittance_name' | 'account_number';
}

export class InvoiceIndex {
  readonly remaining = new Map<string, number>();
  readonly byId = new Map<string, InvoiceView>();
  private readonly byKey = new Map<string, { invoice: InvoiceView; on: 'number' | 'reference' }[]>();
  private readonly contactKeys: { contact: ContactView; name: string | null; account: string | null }[];

  constructor(
    readonly invoices: InvoiceView[],
    contacts: ContactView[],
  ) {
    for (const inv of invoices) {
      this.remaining.set(inv.id, inv.openMinor);
      this.byId.set(inv.id, inv);
      const add = (raw: string | null, on: 'number' | 'reference') => {
        const k = referenceKey(raw);
        if (!k || !isSearchableKey(k)) return;
        const list = this.byKey.get(k) ?? [];
        if (!list.some((x) => x.invoice.id === inv.id)) list.push({ invoice: inv, on });
        this.byKey.set(k, list);
      };
      add(inv.number, 'number');
      add(inv.reference, 'reference');
    }
    this.contactKeys = contacts.map((c) => ({
      contact: c,
      name: nameKey(c.name),
      account: accountKey(c.accountNumber),
    }));
  }

  open(inv: InvoiceView): number {
    return this.remaining.get(inv.id) ?? 0;
  }

  claim(inv: InvoiceView, amountMinor: number): void {
    this.remaining.set(inv.id, this.open(inv) - amountMinor);
  }

  /** Invoices (open or paid, in the money's currency or, asked, another) whose number or reference the texts spell. */
  referenced(m: MoneyIn, currencies: 'same' | 'other' = 'same'): TokenHit[] {
    const hits: TokenHit[] = [];
    for (const t of m.texts) {
      for (const [key, text] of keysInText(t.value)) {
        for (const { invoice, on } of this.byKey.get(key) ?? []) {
          if ((invoice.currency === m.currency) !== (currencies === 'same')) continue;
          if (hits.some((h) => h.invoiceId === invoice.id)) continue;
          hits.push({ field: t.field, text, invoiceId: invoice.id, invoiceNumber: label(invoice), on });
        }
      }
    }
    return hits;
  }

  /** Who paid: known contacts, else a normalised name or account number in the line. */
  identify(m: MoneyIn): IdentifiedContact[] {
    const out: IdentifiedContact[] = [];
    const push = (c: ContactView, via: IdentifiedContact['via']) => {
      if (!out.some((o) => o.connectionId === c.connectionId && o.externalId === c.externalId))
        out.push({ connectionId: c.connectionId, externalId: c.externalId, name: c.name, via });
    };
    for (const k of m.knownContacts) {
      const c = this.contactKeys.find(
        (x) => x.contact.connectionId === k.connectionId && x.contact.externalId === k.externalId,
      );
      push(c?.contact ?? { ...k, name: k.externalId, accountNumber: null }, 'known');
    }
    if (out.length) return out;
    const cpName = nameKey(m.counterpartyName);
    const cpAccount = accountKey(m.counterpartyAccount);
    const remittance = m.texts.filter((t) => t.field !== 'counterparty').map((t) => t.value);
    const remittanceKeys = new Set(remittance.flatMap((r) => [...keysInText(r).keys()]));
    const remittanceWords = remittance.map(nameWords);
    for (const x of this.contactKeys) {
      if (cpName && x.name === cpName) push(x.contact, 'counterparty_name');
      else if (x.account && (x.account === cpAccount || remittanceKeys.has(x.account)))
        push(x.contact, 'account_number');
      else if (x.name && x.name.length >= 3 && remittanceWords.some((w) => w.includes(` ${x.name} `)))
        push(x.contact, 'remittance_name');
    }
    return out;
  }

  openOf(contacts: IdentifiedContact[], currency: string): InvoiceView[] {
    return this.invoices.filter(
      (inv) =>
        inv.currency === currency &&
        this.open(inv) > 0 &&
        contacts.some((c) => c.connectionId === inv.connectionId && c.externalId === inv.contactExternalId),
    );
  }

  /** Up to `n` ranked candidates for money that no pass could apply (score 0–1000, why in words). */
  candidates(m: MoneyIn, hits: TokenHit[], contacts: IdentifiedContact[], n = 3): Candidate[] {
    const scored: { inv: InvoiceView; score: number; why: string[]; gap: number }[] = [];
    for (const inv of this.invoices) {
      if (inv.currency !== m.currency) continue;
      const open = this.open(inv);
      const hit = hits.find((h) => h.invoiceId === inv.id);
      const ofContact = contacts.some(
        (c) => c.connectionId === inv.connectionId && c.externalId === inv.contactExternalId,
      );
      if (open <= 0 && !hit) continue;
      let score = 0;
      const why: string[] = [];
      if (hit) {
        score += 600;
        why.push(`${hit.invoiceNumber} found in the ${fieldWords(hit.field)} ("${hit.text}")`);
      }
      if (open === m.amountMinor) {
        score += 250;
        why.push(`amount equals its open balance ${fmt(open, inv.currency)}`);
      } else if (open > m.amountMinor && open > 0) {
        score += 60;
        why.push(
          `open balance ${fmt(open, inv.currency)} is more than the ${fmt(m.amountMinor, m.currency)} received`,
        );
      } else if (hit) {
        why.push(`open balance ${fmt(open, inv.currency)}`);
      }
      if (ofContact) {
        score += 150;
        why.push(`invoice of the payer ${inv.contactName ?? inv.contactExternalId ?? ''}`.trim());
      }
      if (score < 100) continue;
      scored.push({ inv, score: Math.min(1000, score), why, gap: Math.abs(open - m.amountMinor) });
    }
    scored.sort(
      (a, b) =>
        b.score - a.score ||
        a.gap - b.gap ||
        cmp(a.inv.dueDate ?? a.inv.issueDate, b.inv.dueDate ?? b.inv.issueDate) ||
        cmp(label(a.inv), label(b.inv)),
    );
    return scored.slice(0, n).map((s) => toCandidate(s.inv, this.open(s.inv), s.score, s.why.join('; ')));
  }
}

export function toCandidate(inv: InvoiceView, openMinor: number, score: number, why: string): Candidate {
  return {
    kind: 'invoice',
    id: inv.id,
    label: `${label(inv)}${inv.contactName ? ` · ${inv.contactName}` : ''} · open ${fmt(openMinor, inv.currency)}`,
    score,
    amountMinor: openMinor,
    currency: inv.currency,
    why,
  };
}

export const label = (inv: InvoiceView): string => inv.number ?? inv.reference ?? inv.externalId;

export const fmt = (amountMinor: number, currency: string): string =>
  `${formatMinor(amountMinor, currency)} ${currency}`;

export function fieldWords(f: TextField['field']): string {
  switch (f) {
    case 'remittance':
      return 'remittance text';
    case 'counterparty':
      return 'payer name';
    case 'bank_reference':
      return 'bank reference';
    case 'end_to_end_id':
      return 'end-to-end id';
    case 'reference':
      return 'reference';
    default: {
      const never: never = f;
      return never;
    }
  }
}
