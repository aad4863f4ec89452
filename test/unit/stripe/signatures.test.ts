import { describe, expect, it } from 'vitest';
import { parseQboWebhook, verifyQboSignature } from '../../../src/connectors/qbo/webhooks.js';
import { signStripePayload, verifyStripeWebhook } from '../../../src/connectors/stripe/webhooks.js';
import { parseXeroWebhook, verifyXeroSignature } from '../../../src/connectors/xero/webhooks.js';
import { hmacSha256 } from '../../../src/lib/hash.js';
import { jsonFixture, readFixture } from '../../support/fixtures.js';

const SECRET = 'whsec_unit_test_secret_0123456789';

describe('webhook signatures', () => {
  it('verifies a Stripe event on its raw body and refuses a tampered one', async () => {
    const body = readFixture('stripe', 'events', 'payout.paid.json');
    const now = 1_799_020_900;
    const header = signStripePayload(body, SECRET, now);
    const good = await verifyStripeWebhook(body, header, SECRET, now * 1000);
    expect(good.ok && good.value.id).toBe('evt_1Pgc7BB7WZ01zgkWpopaid01');
    const tampered = await verifyStripeWebhook(body.replace('239927', '239928'), header, SECRET, now * 1000);
    expect(tampered).toEqual({
      ok: false,
      error: { code: 'webhook_bad_signature', message: expect.stringContaining('does not match') },
    });
    const late = await verifyStripeWebhook(body, header, SECRET, (now + 301) * 1000);
    expect(late.ok || late.error.message).toBe('the signed timestamp is older than 300 s');
    expect((await verifyStripeWebhook(body, undefined, SECRET, now * 1000)).ok).toBe(false);
  });

  it('checks every Xero test vector', () => {
    const v = jsonFixture<{
      webhookKey: string;
      vectors: { rawBody: string; validSignature: string; invalidSignature?: string }[];
    }>('xero', 'webhook-signature-vectors.json');
    for (const x of v.vectors) {
      expect(verifyXeroSignature(x.rawBody, x.validSignature, v.webhookKey)).toBe(true);
      if (x.invalidSignature)
        expect(verifyXeroSignature(x.rawBody, x.invalidSignature, v.webhookKey)).toBe(false);
    }
    expect(verifyXeroSignature(v.vectors[0]!.rawBody, undefined, v.webhookKey)).toBe(false);
  });

  it('parses a Xero delivery into events keyed by org, resource, type and UTC time', () => {
    const r = parseXeroWebhook(readFixture('xero', 'webhook-creditnote-create.payload.json'));
    expect(r.ok && r.value.events.map((e) => e.dedupeKey)).toEqual([
      'aef86862-2015-4b6b-88bc-d89032cecc50:CREDITNOTE:55d84274-a3da-4829-a7c0-0cab601b95cc:CREATE:2025-12-02T00:44:09.923Z',
    ]);
    const intent = parseXeroWebhook(readFixture('xero', 'webhook-intent-to-receive.payload.json'));
    expect(intent.ok && intent.value.intentToReceive).toBe(true);
  });

  it('verifies intuit-signature and parses both QBO formats', () => {
    const body = readFixture('qbo', 'webhook-legacy-blog-2025.json');
    const sig = hmacSha256('verifier', body, 'base64');
    expect(verifyQboSignature(body, sig, 'verifier')).toBe(true);
    expect(verifyQboSignature(body, sig, 'other')).toBe(false);
    const legacy = parseQboWebhook(body);
    expect(
      legacy.ok && legacy.value.map((e) => [e.format, e.entity, e.entityId, e.operation, e.dedupeKey]),
    ).toEqual([
      ['legacy', 'Account', '1234', 'Create', '310687:Account:1234:Create:2025-09-08T20:52:31.657Z'],
    ]);
    const ce = parseQboWebhook(readFixture('qbo', 'webhook-cloudevents.json'));
    expect(ce.ok && ce.value.map((e) => [e.format, e.realmId, e.entity, e.operation, e.dedupeKey])).toEqual([
      ['cloudevents', '310687', 'Account', 'Create', 'ce:88cd52aa-33b6-4351-9aa4-47572edbd068'],
    ]);
    expect(parseQboWebhook('[]').ok).toBe(false);
  });
});
