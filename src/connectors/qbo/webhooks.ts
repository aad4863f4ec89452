import { z } from 'zod';
import { hmacSha256, safeEqual } from '../../lib/hash.js';
import { err, ok, type Result } from '../../lib/result.js';

/**
 * QuickBooks Online webhooks (owned by the webhook intake, issue 4): `intuit-signature` is
 * base64(HMAC-SHA256(verifier token, raw body)), compared in constant time. Two payload formats:
 * the legacy `{ eventNotifications: [{ realmId, dataChangeEvent: { entities: [...] } }] }` and the
 * CloudEvents array (`[{ specversion, id, type: "qbo.invoice.updated.v1", intuitaccountid,
 * intuitentityid, time }]`). CloudEvents dedupe on their `id`; legacy entities, which carry none, on
 * (realm, entity, id, operation, lastUpdated).
 */
export function verifyQboSignature(
  rawBody: string | Buffer,
  header: string | undefined,
  verifierToken: string,
): boolean {
  if (!header) return false;
  return safeEqual(hmacSha256(verifierToken, rawBody, 'base64'), header.trim());
}

const LegacyEntity = z.object({
  name: z.string().min(1),
  id: z.string().min(1),
  operation: z.string().min(1),
  lastUpdated: z.string().min(1),
  deletedId: z.string().optional(),
});
const Legacy = z.object({
  eventNotifications: z.array(
    z.object({
      realmId: z.string().min(1),
      dataChangeEvent: z.object({ entities: z.array(LegacyEntity) }),
    }),
  ),
});
const CloudEvent = z.object({
  specversion: z.string(),
  id: z.string().min(1),
  type: z.string().regex(/^qbo\.[a-z]+\.[a-z]+\.v\d+$/i, 'qbo.<entity>.<operation>.v<n>'),
  time: z.string().min(1),
  intuitentityid: z.string().min(1),
  intuitaccountid: z.string().min(1),
  source: z.string().optional(),
  data: z.unknown().optional(),
});
const CloudEvents = z.array(CloudEvent).min(1);

export interface QboWebhookEvent {
  format: 'legacy' | 'cloudevents';
  realmId: string;
  /** QBO entity name as the API spells it: Invoice, Customer, CreditMemo … */
  entity: string;
  entityId: string;
  /** Create, Update, Delete, Merge, Void, Emailed */
  operation: string;
  occurredAt: Date;
  dedupeKey: string;
  raw: unknown;
}

const ENTITY_NAMES: Record<string, string> = {
  creditmemo: 'CreditMemo',
  journalentry: 'JournalEntry',
  timeactivity: 'TimeActivity',
  salesreceipt: 'SalesReceipt',
  refundreceipt: 'RefundReceipt',
  billpayment: 'BillPayment',
  purchaseorder: 'PurchaseOrder',
  vendorcredit: 'VendorCredit',
  journalcode: 'JournalCode',
  paymentmethod: 'PaymentMethod',
  taxagency: 'TaxAgency',
};
const OPERATIONS: Record<string, string> = {
  created: 'Create',
  updated: 'Update',
  deleted: 'Delete',
  merged: 'Merge',
  voided: 'Void',
  emailed: 'Emailed',
};

/** "2015-10-05T14:42:19-0700" (no colon in the offset) and ISO text alike. */
function instant(text: string): Date | null {
  const t = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? null : new Date(t);
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

export function parseQboWebhook(rawBody: string): Result<QboWebhookEvent[], { message: string }> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return err({ message: 'the body is not JSON' });
  }
  if (Array.isArray(json)) {
    const ce = CloudEvents.safeParse(json);
    if (!ce.success) return err({ message: 'the body is not a QBO CloudEvents array' });
    const out: QboWebhookEvent[] = [];
    for (const e of ce.data) {
      const [, entity = '', operation = ''] = e.type.toLowerCase().split('.');
      const occurredAt = instant(e.time);
      if (!occurredAt) return err({ message: `time "${e.time}" is not a timestamp` });
      out.push({
        format: 'cloudevents',
        realmId: e.intuitaccountid,
        entity: ENTITY_NAMES[entity] ?? cap(entity),
        entityId: e.intuitentityid,
        operation: OPERATIONS[operation] ?? cap(operation),
        occurredAt,
        dedupeKey: `ce:${e.id}`,
        raw: e,
      });
    }
    return ok(out);
  }
  const legacy = Legacy.safeParse(json);
  if (!legacy.success) return err({ message: 'the body is neither QBO webhook format' });
  const out: QboWebhookEvent[] = [];
  for (const n of legacy.data.eventNotifications) {
    for (const e of n.dataChangeEvent.entities) {
      const occurredAt = instant(e.lastUpdated);
      if (!occurredAt) return err({ message: `lastUpdated "${e.lastUpdated}" is not a timestamp` });
      out.push({
        format: 'legacy',
        realmId: n.realmId,
        entity: e.name,
        entityId: e.id,
        operation: e.operation,
        occurredAt,
        dedupeKey: `${n.realmId}:${e.name}:${e.id}:${e.operation}:${occurredAt.toISOString()}`,
        raw: e,
      });
    }
  }
  return ok(out);
}
