import { z } from 'zod';
import { hmacSha256, safeEqual } from '../../lib/hash.js';
import { err, ok, type Result } from '../../lib/result.js';
import { xeroInstant } from './dates.js';

/**
 * Xero webhooks (owned by the webhook intake, issue 4): `x-xero-signature` is
 * base64(HMAC-SHA256(webhook key, raw body)), compared in constant time. An "intent to receive" check is
 * a signed delivery with no events: 200 when the signature is good, 401 when not. Events carry no id, so
 * each is deduplicated on (tenant, category, resource, event type, event time).
 */
export function verifyXeroSignature(
  rawBody: string | Buffer,
  header: string | undefined,
  webhookKey: string,
): boolean {
  if (!header) return false;
  return safeEqual(hmacSha256(webhookKey, rawBody, 'base64'), header.trim());
}

const XeroEvent = z.object({
  resourceUrl: z.string(),
  resourceId: z.string().min(1),
  eventDateUtc: z.string().min(1),
  eventType: z.string().min(1),
  eventCategory: z.string().min(1),
  tenantId: z.string().min(1),
  tenantType: z.string().optional(),
});

const XeroPayload = z.object({
  events: z.array(XeroEvent),
  firstEventSequence: z.number().int(),
  lastEventSequence: z.number().int(),
  entropy: z.string(),
});

export interface XeroWebhookEvent {
  tenantId: string;
  /** INVOICE, CONTACT, CREDITNOTE … */
  category: string;
  /** CREATE, UPDATE … */
  eventType: string;
  resourceId: string;
  resourceUrl: string;
  occurredAt: Date;
  dedupeKey: string;
  raw: unknown;
}

export function parseXeroWebhook(
  rawBody: string,
): Result<{ intentToReceive: boolean; events: XeroWebhookEvent[] }, { message: string }> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return err({ message: 'the body is not JSON' });
  }
  const parsed = XeroPayload.safeParse(json);
  if (!parsed.success) return err({ message: 'the body is not a Xero webhook payload' });
  const events: XeroWebhookEvent[] = [];
  for (const e of parsed.data.events) {
    let occurredAt: Date;
    try {
      occurredAt = xeroInstant(e.eventDateUtc);
    } catch {
      return err({ message: `eventDateUtc "${e.eventDateUtc}" is not a timestamp` });
    }
    events.push({
      tenantId: e.tenantId,
      category: e.eventCategory,
      eventType: e.eventType,
      resourceId: e.resourceId,
      resourceUrl: e.resourceUrl,
      occurredAt,
      dedupeKey: `${e.tenantId}:${e.eventCategory}:${e.resourceId}:${e.eventType}:${occurredAt.toISOString()}`,
      raw: e,
    });
  }
  return ok({ intentToReceive: events.length === 0, events });
}
