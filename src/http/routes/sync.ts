import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import { audit } from '../../db/repos/audit.js';
import { connections } from '../../db/schema/index.js';
import { AppError } from '../../lib/errors.js';
import { reconcileFirm } from '../../reconcile/index.js';
import type { AppDeps, AppEnv } from '../deps.js';

const trigger = createRoute({
  method: 'post',
  path: '/connections/{id}/sync',
  summary: 'Pull a Xero or QuickBooks connection now (queued; cash application follows)',
  request: {
    params: z.object({ id: z.uuid() }),
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({ full: z.boolean().optional() }) } },
    },
  },
  responses: {
    202: {
      description: 'Queued',
      content: {
        'application/json': { schema: z.object({ queued: z.literal(true), connectionId: z.uuid() }) },
      },
    },
  },
});

const reconcile = createRoute({
  method: 'post',
  path: '/reconcile',
  summary: 'Apply cash now: match undecided bank lines and credits to the books and open invoices',
  responses: {
    200: {
      description: 'What this run decided, per tier (what was decided before is unchanged)',
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

export function syncRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(reconcile, async (c) => {
    const stats = await reconcileFirm(deps.db, {
      firmId: c.get('firmId'),
      clock: deps.clock,
      windowDays: deps.config.MATCH_BOOKS_WINDOW_DAYS,
      actor: c.get('actor'),
    });
    return c.json(stats as unknown as Record<string, unknown>, 200);
  });
  app.openapi(trigger, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    const [conn] = await deps.db
      .select()
      .from(connections)
      .where(and(eq(connections.id, id), eq(connections.firmId, c.get('firmId'))));
    if (!conn) throw new AppError('not_found', `no connection ${id}`);
    if (conn.provider !== 'xero' && conn.provider !== 'qbo') {
      throw new AppError('validation_failed', `${conn.provider} connections are not pulled as books`);
    }
    if (!deps.queue)
      throw new AppError('not_configured', 'no job queue in this process (run ledgerbridge serve)');
    await deps.queue.send({
      type: 'sync.connection',
      payload: { connectionId: id, ...(body.full ? { full: true } : {}) },
      key: `sync:${id}:manual:${Math.floor(deps.clock.now().getTime() / 10_000)}`,
      groupId: id,
    });
    await audit(deps.db, {
      firmId: conn.firmId,
      actor: c.get('actor'),
      action: 'connection.sync_requested',
      subjectKind: 'connection',
      subjectId: id,
    });
    return c.json({ queued: true as const, connectionId: id }, 202);
  });
  return app;
}
