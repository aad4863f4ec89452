import { and, eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parseQboWebhook, verifyQboSignature } from '../../connectors/qbo/webhooks.js';
import { verifyStripeWebhook } from '../../connectors/stripe/webhooks.js';
import { parseXeroWebhook, verifyXeroSignature } from '../../connectors/xero/webhooks.js';
import { connections } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import { createIntake, type IntakeEvent } from '../../webhooks/intake.js';
import { loadStripeConnection } from '../../webhooks/stripe-connections.js';
import '../../webhooks/stripe.js'; // registers the Stripe processor
import type { AppDeps, AppEnv } from '../deps.js';

/**
 * Public webhook endpoints. Each verifies its provider's signature on the raw bytes (constant time)
 * before anything is parsed or stored, stores every event under its dedupe key, enqueues the new ones,
 * and acknowledges: 401 for a bad or stale signature (nothing stored), 413 over WEBHOOK_MAX_BYTES.
 */
export function webhookRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const limit = bodyLimit({
    maxSize: deps.config.WEBHOOK_MAX_BYTES,
    onError: () => {
      throw new AppError(
        'payload_too_large',
        `the webhook body is larger than ${deps.config.WEBHOOK_MAX_BYTES} bytes`,
      );
    },
  });
  const intake = createIntake({ db: deps.db, queue: deps.queue, clock: deps.clock, logger: deps.logger });

  app.post('/webhooks/stripe/:connectionId', limit, async (c) => {
    const conn = await loadStripeConnection(deps, c.req.param('connectionId'));
    if (!conn) throw new AppError('not_found', 'no Stripe connection at this address');
    const raw = Buffer.from(await c.req.arrayBuffer());
    const verified = await verifyStripeWebhook(
      raw,
      c.req.header('stripe-signature'),
      conn.keys.webhookSecret,
      deps.clock.now().getTime(),
    );
    if (!verified.ok) throw new AppError(verified.error.code, verified.error.message);
    const ev = verified.value;
    const r = await intake([
      {
        provider: 'stripe',
        dedupeKey: ev.id,
        firmId: conn.firmId,
        connectionId: conn.id,
        tenantId: ev.account ?? null,
        eventType: ev.type,
        resourceType: ev.data.object.object,
        resourceId: ev.data.object.id,
        occurredAt: new Date(ev.created * 1000),
        payload: ev,
      },
    ]);
    return c.json({ received: true, duplicate: r.stored === 0 }, 200);
  });

  app.post('/webhooks/xero', limit, async (c) => {
    const key = deps.config.XERO_WEBHOOK_KEY;
    if (!key) throw new AppError('not_configured', 'XERO_WEBHOOK_KEY is not set');
    const raw = Buffer.from(await c.req.arrayBuffer());
    // Intent to receive and real deliveries alike: 401 unless the signature matches.
    if (!verifyXeroSignature(raw, c.req.header('x-xero-signature'), key)) {
      throw new AppError('webhook_bad_signature', 'x-xero-signature does not match the body');
    }
    const parsed = parseXeroWebhook(raw.toString('utf8'));
    if (!parsed.ok) throw new AppError('validation_failed', parsed.error.message);
    if (parsed.value.intentToReceive) return c.body(null, 200);
    const owners = new Map<string, { firmId: string; id: string } | null>();
    const events: IntakeEvent[] = [];
    for (const e of parsed.value.events) {
      if (!owners.has(e.tenantId)) owners.set(e.tenantId, await ownerOf(deps, 'xero', e.tenantId));
      const owner = owners.get(e.tenantId) ?? null;
      events.push({
        provider: 'xero',
        dedupeKey: e.dedupeKey,
        firmId: owner?.firmId ?? null,
        connectionId: owner?.id ?? null,
        tenantId: e.tenantId,
        eventType: e.eventType,
        resourceType: e.category,
        resourceId: e.resourceId,
        occurredAt: e.occurredAt,
        payload: e.raw,
      });
    }
    await intake(events);
    return c.body(null, 200);
  });

  app.post('/webhooks/qbo', limit, async (c) => {
    const token = deps.config.QBO_WEBHOOK_VERIFIER_TOKEN;
    if (!token) throw new AppError('not_configured', 'QBO_WEBHOOK_VERIFIER_TOKEN is not set');
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (!verifyQboSignature(raw, c.req.header('intuit-signature'), token)) {
      throw new AppError('webhook_bad_signature', 'intuit-signature does not match the body');
    }
    const parsed = parseQboWebhook(raw.toString('utf8'));
    if (!parsed.ok) throw new AppError('validation_failed', parsed.error.message);
    const owners = new Map<string, { firmId: string; id: string } | null>();
    const events: IntakeEvent[] = [];
    for (const e of parsed.value) {
      if (!owners.has(e.realmId)) owners.set(e.realmId, await ownerOf(deps, 'qbo', e.realmId));
      const owner = owners.get(e.realmId) ?? null;
      events.push({
        provider: 'qbo',
        dedupeKey: e.dedupeKey,
        firmId: owner?.firmId ?? null,
        connectionId: owner?.id ?? null,
        tenantId: e.realmId,
        eventType: e.operation,
        resourceType: e.entity,
        resourceId: e.entityId,
        occurredAt: e.occurredAt,
        payload: e.raw,
      });
    }
    await intake(events);
    return c.body(null, 200);
  });

  return app;
}

/** The connection that owns a Xero tenant or QBO realm (the first active one). */
async function ownerOf(
  deps: AppDeps,
  provider: 'xero' | 'qbo',
  tenantId: string,
): Promise<{ firmId: string; id: string } | null> {
  const [row] = await deps.db
    .select({ id: connections.id, firmId: connections.firmId })
    .from(connections)
    .where(
      and(
        eq(connections.provider, provider),
        eq(connections.tenantId, tenantId),
        eq(connections.status, 'active'),
      ),
    )
    .limit(1);
  return row ?? null;
}
