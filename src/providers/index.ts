import { and, eq, inArray } from 'drizzle-orm';
import { ProviderId } from '../canonical/index.js';
import { reportAuthFailure } from '../connections/index.js';
import { connections } from '../db/schema/index.js';
import type { AppDeps } from '../http/deps.js';
import { AppError } from '../lib/errors.js';
import type { SyncReport } from '../sync/run.js';
import { qboConnCtx, qboConnectorFor, syncQbo } from './qbo/books.js';
import { syncXeroConnection } from './xero/sync.js';

/**
 * The provider layer: use cases that compose one provider's connector with storage (parking, the
 * outbox, derived GL, orphan checks). Connectors stay free of storage; engines stay free of providers;
 * this is the one place that knows both, and `syncBooksConnection` is the registry over provider ids.
 */
export type SyncOutcome =
  | { status: 'ran'; report: SyncReport; firmId: string }
  | { status: 'skipped'; reason: string; firmId: string };

export async function syncBooksConnection(
  deps: AppDeps,
  connectionId: string,
  opts: { full?: boolean; trigger?: string } = {},
): Promise<SyncOutcome> {
  const [c] = await deps.db.select().from(connections).where(eq(connections.id, connectionId));
  if (!c) throw new AppError('not_found', `no connection ${connectionId}`);
  const firmId = c.firmId;
  if (c.status !== 'active') return { status: 'skipped', reason: `the connection is ${c.status}`, firmId };
  if (c.parkedUntil && c.parkedUntil > deps.clock.now()) {
    return {
      status: 'skipped',
      reason: `parked until ${c.parkedUntil.toISOString()} (provider limit)`,
      firmId,
    };
  }
  const trigger = opts.trigger ?? 'manual';
  const provider = ProviderId.parse(c.provider);
  switch (provider) {
    case 'xero': {
      let out = await syncXeroConnection(deps, connectionId, { trigger });
      // Xero refused the token (401) or the org (403): the connections area decides: refresh and try
      // once more, record a tier refusal, or move the grant to needs_reauth with an exception.
      const failed = out.report?.status === 'failed' ? out.report.error : undefined;
      if (
        failed &&
        (failed.code === 'provider_auth_expired' ||
          (failed.code === 'provider_forbidden' && failed.status === 403))
      ) {
        const verdict = await reportAuthFailure(deps, {
          connectionId,
          status: failed.status ?? 401,
          body: { Detail: failed.reason ?? '' },
        });
        if (verdict.action === 'retry') {
          out = await syncXeroConnection(deps, connectionId, { trigger: `${trigger}:retry` });
        }
      }
      if (out.status === 'parked') {
        return {
          status: 'skipped',
          reason: `parked until ${out.until.toISOString()} (Xero's daily limit)`,
          firmId,
        };
      }
      return { status: 'ran', report: out.report, firmId };
    }
    case 'qbo': {
      const ctx = await qboConnCtx(deps, connectionId);
      const report = await syncQbo(deps, qboConnectorFor(deps), ctx, {
        trigger,
        ...(opts.full ? { full: true } : {}),
      });
      return { status: 'ran', report, firmId };
    }
    case 'stripe':
    case 'files':
      return { status: 'skipped', reason: `${provider} connections are not pulled as books`, firmId };
    default: {
      const never: never = provider;
      throw new Error(`unknown provider ${String(never)}`);
    }
  }
}

/** Active books connections (Xero, QBO), optionally of one firm or one provider. */
export async function booksConnections(
  deps: Pick<AppDeps, 'db'>,
  filter: { firmId?: string; provider?: 'xero' | 'qbo' } = {},
) {
  const conds = [
    eq(connections.status, 'active'),
    inArray(connections.provider, filter.provider ? [filter.provider] : ['xero', 'qbo']),
  ];
  if (filter.firmId) conds.push(eq(connections.firmId, filter.firmId));
  return deps.db
    .select({
      id: connections.id,
      firmId: connections.firmId,
      provider: connections.provider,
      displayName: connections.displayName,
    })
    .from(connections)
    .where(and(...conds));
}
