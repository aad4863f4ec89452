import Stripe from 'stripe';
import { err, ok, type Result } from '../../lib/result.js';
import { WireEvent } from './wire.js';

/** Stripe's recommended (and default) tolerance: a signed timestamp older than this is refused. */
export const STRIPE_TOLERANCE_SECONDS = 300;

export interface WebhookRejection {
  code: 'webhook_bad_signature' | 'validation_failed';
  message: string;
}

/**
 * Verify a Stripe webhook on the raw body with the stripe package (`constructEventAsync`: HMAC-SHA256
 * over `t.body`, constant-time comparison, timestamp tolerance), then parse the event envelope.
 * `nowMs` comes from the injected clock. Nothing of the body is trusted before this returns ok.
 */
export async function verifyStripeWebhook(
  rawBody: string | Buffer,
  signatureHeader: string | undefined,
  secret: string,
  nowMs: number,
): Promise<Result<WireEvent, WebhookRejection>> {
  if (!signatureHeader) return err({ code: 'webhook_bad_signature', message: 'no Stripe-Signature header' });
  let event: unknown;
  try {
    event = await Stripe.webhooks.constructEventAsync(
      rawBody,
      signatureHeader,
      secret,
      STRIPE_TOLERANCE_SECONDS,
      undefined,
      nowMs,
    );
  } catch {
    // Which check failed, without reading the SDK's message: with the age check off (tolerance 0),
    // does the signature itself hold? Then the timestamp was too old.
    const stale = await Stripe.webhooks
      .constructEventAsync(rawBody, signatureHeader, secret, 0)
      .then(() => true)
      .catch(() => false);
    return err({
      code: 'webhook_bad_signature',
      message: stale
        ? `the signed timestamp is older than ${STRIPE_TOLERANCE_SECONDS} s`
        : 'the Stripe-Signature does not match this endpoint’s signing secret and the raw body',
    });
  }
  const parsed = WireEvent.safeParse(event);
  if (!parsed.success) {
    return err({ code: 'validation_failed', message: 'a signed body that is not a Stripe event' });
  }
  return ok(parsed.data);
}

/** Sign a payload the way Stripe does (tests, the bench, the demo). */
export function signStripePayload(payload: string, secret: string, timestampSeconds: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSeconds });
}
