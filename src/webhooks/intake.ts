import { and, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { webhookEvents } from '../db/schema/index.js';
import type { Db } from '../db/types.js';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Queue } from '../queue/port.js';

/**
 * Webhook intake, for every provider, after the route has verified the signature on the raw body:
 * store each event under its own dedupe key, enqueue one `webhook.process` job for the new ones, and
 * let the route acknowledge. A redelivered event inserts nothing and enqueues nothing, so it is never
 * processed twice; an event whose enqueue was lost (the process died between insert and send) is sent
 * again when the provider redelivers it.
 */
export const WEBHOOK_JOB = 'webhook.process';
export type WebhookProvider = 'stripe' | 'xero' | 'qbo';

export interface IntakeEvent {
  provider: WebhookProvider;
  dedupeKey: string;
  firmId: string | null;
  connectionId: string | null;
  tenantId: string | null;
  eventType: string;
  resourceType: string | null;
  resourceId: string | null;
  occurredAt: Date | null;
  payload: unknown;
}

export interface IntakeDeps {
  db: Db;
  queue?: Queue | undefined;
  clock: Clock;
  logger: Logger;
}

export interface IntakeResult {
  stored: number;
  duplicates: number;
  enqueued: number;
  /** `provider|dedupeKey` of the events this call stored for the first time. */
  storedKeys: Set<string>;
}

const keyOf = (e: Pick<IntakeEvent, 'provider' | 'dedupeKey'>): string => `${e.provider}|${e.dedupeKey}`;

/**
 * A redelivered event still unprocessed this long after it first arrived is sent again: its first job
 * may have been lost (the process died between the insert and the send). While the first job still
 * waits, the queue drops the re-send (same key); if it is running, the second finds the event processed.
 * `enqueued_at` records such a re-send; the first send is not written back (one statement less per
 * delivery on the hot path).
 */
const LOST_ENQUEUE_SECONDS = 30;

export async function storeAndEnqueue(deps: IntakeDeps, events: IntakeEvent[]): Promise<IntakeResult> {
  if (events.length === 0) return { stored: 0, duplicates: 0, enqueued: 0, storedKeys: new Set() };
  const queue = deps.queue;
  if (!queue) throw new AppError('not_configured', 'no job queue: webhooks cannot be accepted');
  // One delivery may repeat an event (Xero batches); the first occurrence wins.
  const unique = [...new Map(events.map((e) => [keyOf(e), e])).values()];
  const inserted = await deps.db
    .insert(webhookEvents)
    .values(
      unique.map((e) => ({
        provider: e.provider,
        dedupeKey: e.dedupeKey,
        firmId: e.firmId,
        connectionId: e.connectionId,
        tenantId: e.tenantId,
        eventType: e.eventType,
        resourceType: e.resourceType,
        resourceId: e.resourceId,
        occurredAt: e.occurredAt,
        payload: e.payload as object,
      })),
    )
    .onConflictDoNothing({ target: [webhookEvents.provider, webhookEvents.dedupeKey] })
    .returning({
      id: webhookEvents.id,
      connectionId: webhookEvents.connectionId,
      provider: webhookEvents.provider,
      dedupeKey: webhookEvents.dedupeKey,
    });
  const storedKeys = new Set(
    inserted.map((r) => keyOf({ provider: r.provider as WebhookProvider, dedupeKey: r.dedupeKey })),
  );

  let toSend: { id: string; connectionId: string | null }[] = inserted;
  const duplicates = unique.length - inserted.length;
  if (duplicates > 0) {
    const dupes = unique.filter((e) => !storedKeys.has(keyOf(e)));
    const stale = await deps.db
      .select({ id: webhookEvents.id, connectionId: webhookEvents.connectionId })
      .from(webhookEvents)
      .where(
        and(
          inArray(webhookEvents.provider, [...new Set(dupes.map((e) => e.provider))]),
          inArray(
            webhookEvents.dedupeKey,
            dupes.map((e) => e.dedupeKey),
          ),
          inArray(webhookEvents.status, ['received', 'failed']),
          // the database's clock, the one that stamped received_at
          lt(webhookEvents.receivedAt, sql`now() - make_interval(secs => ${LOST_ENQUEUE_SECONDS})`),
          or(
            isNull(webhookEvents.enqueuedAt),
            lt(webhookEvents.enqueuedAt, sql`now() - make_interval(secs => ${LOST_ENQUEUE_SECONDS})`),
          ),
        ),
      );
    const fresh = new Set(inserted.map((r) => r.id));
    toSend = [...inserted, ...stale.filter((r) => !fresh.has(r.id))];
  }
  if (toSend.length === 0) return { stored: 0, duplicates, enqueued: 0, storedKeys };

  // One job per connection, so SQS FIFO keeps one firm's events in order.
  const groups = new Map<string, string[]>();
  for (const r of toSend) {
    const g = r.connectionId ?? 'unrouted';
    groups.set(g, [...(groups.get(g) ?? []), r.id]);
  }
  const jobs = [...groups].map(([groupId, eventIds]) => ({
    type: WEBHOOK_JOB,
    payload: { eventIds },
    key: `webhook:${eventIds[0]}`,
    groupId,
  }));
  if (jobs.length === 1) await queue.send(jobs[0]!);
  else await queue.sendBatch(jobs);
  if (toSend.length > inserted.length) {
    await deps.db
      .update(webhookEvents)
      .set({ enqueuedAt: sql`now()` })
      .where(
        inArray(
          webhookEvents.id,
          toSend.map((r) => r.id),
        ),
      );
  }
  return { stored: inserted.length, duplicates, enqueued: toSend.length, storedKeys };
}

/**
 * Group commit for the webhook routes: deliveries that arrive while a write is in flight are stored
 * together in the next one (one insert, one enqueue), each caller still answered only after its own
 * events are stored and enqueued. On the embedded database, which runs one statement at a time, this is
 * what keeps intake fast under concurrent deliveries; on a server it saves round trips.
 */
export type Intake = ((events: IntakeEvent[]) => Promise<IntakeResult>) & {
  /** Writes done and events stored through them (the bench reports the mean batch). */
  readonly stats: { writes: number; events: number };
};

export function createIntake(deps: IntakeDeps, opts: { maxEvents?: number } = {}): Intake {
  const maxEvents = opts.maxEvents ?? 500;
  type Waiter = { events: IntakeEvent[]; resolve: (r: IntakeResult) => void; reject: (e: unknown) => void };
  const pending: Waiter[] = [];
  let running = false;
  const stats = { writes: 0, events: 0 };

  const run = async (): Promise<void> => {
    running = true;
    // Let the deliveries read in this turn of the event loop join the write (on PGlite a statement
    // holds the thread, so requests pile up between writes and are taken together).
    await new Promise<void>((r) => setImmediate(r));
    while (pending.length > 0) {
      const batch: Waiter[] = [];
      let n = 0;
      while (pending.length > 0 && (batch.length === 0 || n + pending[0]!.events.length <= maxEvents)) {
        const w = pending.shift()!;
        batch.push(w);
        n += w.events.length;
      }
      stats.writes += 1;
      stats.events += n;
      try {
        const r = await storeAndEnqueue(
          deps,
          batch.flatMap((w) => w.events),
        );
        const claimed = new Set<string>();
        for (const w of batch) {
          const mine = [...new Set(w.events.map(keyOf))];
          const first = mine.filter((k) => r.storedKeys.has(k) && !claimed.has(k));
          for (const k of first) claimed.add(k);
          w.resolve({
            stored: first.length,
            duplicates: mine.length - first.length,
            enqueued: first.length,
            storedKeys: new Set(first),
          });
        }
      } catch (e) {
        for (const w of batch) w.reject(e);
      }
      await new Promise<void>((r) => setImmediate(r));
    }
    running = false;
  };

  const intake = (events: IntakeEvent[]) =>
    new Promise<IntakeResult>((resolve, reject) => {
      if (events.length === 0)
        return resolve({ stored: 0, duplicates: 0, enqueued: 0, storedKeys: new Set() });
      pending.push({ events, resolve, reject });
      if (!running) void run();
    });
  return Object.assign(intake, { stats });
}
