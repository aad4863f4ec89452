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
  /** Load order (oldest due first): every list this index answers keeps it. */
  private readonly pos = new Map<string, number>();
  private readonly byContact = new Map<string, InvoiceView[]>();
  /** Invoices by currency and what this run has left open: the amount lookups. */
  private readonly byOpen = new Map<string, Set<string>>();
  private readonly byKey = new Map<string, { invoice: InvoiceView; on: 'number' | 'reference' }[]>();
  private readonly contactKeys: { contact: ContactView; name: string | null; account: string | null }[];

  constructor(
    readonly invoices: InvoiceView[],
    contacts: ContactView[],
  ) {
    for (const [i, inv] of invoices.entries()) {
      this.remaining.set(inv.id, inv.openMinor);
      this.byId.set(inv.id, inv);
      this.pos.set(inv.id, i);
      const ck = contactKey(inv.connectionId, inv.contactExternalId);
      const theirs = this.byContact.get(ck);
      if (theirs) theirs.push(inv);
      else this.byContact.set(ck, [inv]);
      this.index(inv, inv.openMinor);
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
    const before = this.open(inv);
    this.byOpen.get(`${inv.currency}|${before}`)?.delete(inv.id);
    this.remaining.set(inv.id, before - amountMinor);
    this.index(inv, before - amountMinor);
  }

  private index(inv: InvoiceView, open: number): void {
    if (open <= 0) return;
    const k = `${inv.currency}|${open}`;
    const set = this.byOpen.get(k) ?? new Set<string>();
    set.add(inv.id);
    this.byOpen.set(k, set);
  }

  private ordered(ids: Iterable<string>): InvoiceView[] {
    return [...new Set(ids)]
      .map((id) => this.byId.get(id)!)
      .sort((a, b) => this.pos.get(a.id)! - this.pos.get(b.id)!);
  }

  /** Open invoices whose remaining balance is exactly this amount. */
  withOpen(amountMinor: number, currency: string): InvoiceView[] {
    return this.ordered(this.byOpen.get(`${currency}|${amountMinor}`) ?? []);
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
    const known = this.identified.get(m);
    if (known) return known;
    const out = this.identifyOnce(m);
    this.identified.set(m, out);
    return out;
  }

  /** Contacts never change within a run: each money's payer is worked out once. */
  private readonly identified = new WeakMap<MoneyIn, IdentifiedContact[]>();

  private identifyOnce(m: MoneyIn): IdentifiedContact[] {
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
    const theirs = contacts.flatMap(
      (c) => this.byContact.get(contactKey(c.connectionId, c.externalId)) ?? [],
    );
    return this.ordered(
      theirs.filter((inv) => inv.currency === currency && this.open(inv) > 0).map((i) => i.id),
    );
  }

  /** Up to `n` ranked candidates for money that no pass could apply (score 0–1000, why in words). */
  candidates(m: MoneyIn, hits: TokenHit[], contacts: IdentifiedContact[], n = 3): Candidate[] {
    // score every invoice cheaply; put the reasons into words for the few that are kept
    const scored: {
      inv: InvoiceView;
      score: number;
      open: number;
      hit: TokenHit | undefined;
      ofContact: boolean;
    }[] = [];
    const hitById = new Map(hits.map((h) => [h.invoiceId, h]));
    const contactKeys = new Set(contacts.map((c) => contactKey(c.connectionId, c.externalId)));
    // only these can score 100 or more: named in the text, the payer's, or the exact amount
    const pool = this.ordered([
      ...hits.map((h) => h.invoiceId),
      ...contacts.flatMap((c) =>
        (this.byContact.get(contactKey(c.connectionId, c.externalId)) ?? []).map((i) => i.id),
      ),
      ...(this.byOpen.get(`${m.currency}|${m.amountMinor}`) ?? []),
    ]);
    for (const inv of pool) {
      if (inv.currency !== m.currency) continue;
      const open = this.open(inv);
      const hit = hitById.get(inv.id);
      if (open <= 0 && !hit) continue;
      const ofContact = contactKeys.has(contactKey(inv.connectionId, inv.contactExternalId));
      const score =
        (hit ? 600 : 0) +
        (open === m.amountMinor ? 250 : open > m.amountMinor ? 60 : 0) +
        (ofContact ? 150 : 0);
      if (score >= 100) scored.push({ inv, score: Math.min(1000, score), open, hit, ofContact });
    }
    scored.sort(
      (a, b) =>
        b.score - a.score ||
        Math.abs(a.open - m.amountMinor) - Math.abs(b.open - m.amountMinor) ||
        cmp(a.inv.dueDate ?? a.inv.issueDate, b.inv.dueDate ?? b.inv.issueDate) ||
        cmp(label(a.inv), label(b.inv)),
    );
    return scored.slice(0, n).map(({ inv, score, open, hit, ofContact }) => {
      const why: string[] = [];
      if (hit) why.push(`${hit.invoiceNumber} found in the ${fieldWords(hit.field)} ("${hit.text}")`);
      if (open === m.amountMinor) why.push(`amount equals its open balance ${fmt(open, inv.currency)}`);
      else if (open > m.amountMinor)
        why.push(
          `open balance ${fmt(open, inv.currency)} is more than the ${fmt(m.amountMinor, m.currency)} received`,
        );
      else if (hit) why.push(`open balance ${fmt(open, inv.currency)}`);
      if (ofContact)
        why.push(`invoice of the payer ${inv.contactName ?? inv.contactExternalId ?? ''}`.trim());
      return toCandidate(inv, open, score, why.join('; '));
    });
  }
}

const contactKey = (connectionId: string, externalId: string | null): string =>
  `${connectionId}|${externalId ?? ''}`;

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
