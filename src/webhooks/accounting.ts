import type { AppDeps } from '../http/deps.js';
import { registerWebhookProcessor } from './process.js';

/**
 * The seam between the webhook intake and the accounting connectors. Xero and QBO events are only
 * "this changed" notices: each becomes a targeted incremental pull of the named resources, done by the
 * connector's own sync code. Whoever owns that pull registers it here once at boot:
 *
 *   wireXeroWebhooks(pullXeroResources)   // src/connectors/xero (issue 6)
 *   wireQboWebhooks(pullQboEntities)      // src/connectors/qbo (issue 5)
 *
 * Until then their events are stored, deduplicated and kept as `received` (see processWebhookJob).
 */
export interface XeroResourceChange {
  /** INVOICE, CONTACT, CREDITNOTE … */
  category: string;
  resourceId: string;
  /** CREATE, UPDATE */
  eventType: string;
  occurredAt: Date;
}
export type PullXeroResources = (
  deps: AppDeps,
  connectionId: string,
  resources: XeroResourceChange[],
) => Promise<unknown>;

export interface QboEntityChange {
  /** Invoice, Customer, Payment, CreditMemo … */
  entity: string;
  entityId: string;
  /** Create, Update, Delete, Merge, Void, Emailed */
  operation: string;
  occurredAt: Date;
}
export type PullQboEntities = (
  deps: AppDeps,
  connectionId: string,
  changes: QboEntityChange[],
) => Promise<unknown>;

export function wireXeroWebhooks(pull: PullXeroResources): void {
  registerWebhookProcessor('xero', async (deps, connectionId, events) => {
    await pull(
      deps,
      connectionId,
      events.map((e) => ({
        category: e.resourceType ?? '',
        resourceId: e.resourceId ?? '',
        eventType: e.eventType,
        occurredAt: e.occurredAt ?? e.receivedAt,
      })),
    );
  });
}

export function wireQboWebhooks(pull: PullQboEntities): void {
  registerWebhookProcessor('qbo', async (deps, connectionId, events) => {
    await pull(
      deps,
      connectionId,
      events.map((e) => ({
        entity: e.resourceType ?? '',
        entityId: e.resourceId ?? '',
        operation: e.eventType,
        occurredAt: e.occurredAt ?? e.receivedAt,
      })),
    );
  });
}
