import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { listSyncErrors } from '../../db/repos/sync-errors.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { decodeCursor, PageQuery, pageOf, pageSchema } from '../pagination.js';

const SyncErrorView = z
  .object({
    id: z.uuid(),
    connectionId: z.uuid(),
    entity: z.string(),
    externalId: z.string().nullable(),
    field: z.string().nullable(),
    message: z.string(),
    createdAt: z.string(),
  })
  .openapi('SyncError');

const list = createRoute({
  method: 'get',
  path: '/sync-errors',
  summary: 'Records a pull could not take in, naming the record and the field',
  request: { query: PageQuery.extend({ connectionId: z.uuid().optional() }) },
  responses: {
    200: {
      description: 'A page of sync errors',
      content: { 'application/json': { schema: pageSchema(SyncErrorView) } },
    },
  },
});

export function syncErrorRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const rows = await listSyncErrors(deps.db, {
      firmId: c.get('firmId'),
      connectionId: q.connectionId,
      limit: q.limit + 1,
      after: decodeCursor(q.cursor),
    });
    const page = pageOf(rows, q.limit, (r) => ({ k: r.createdAt.toISOString(), id: r.id }));
    return c.json(
      {
        items: page.items.map((r) => ({
          id: r.id,
          connectionId: r.connectionId,
          entity: r.entity,
          externalId: r.externalId,
          field: r.field,
          message: r.message,
          createdAt: r.createdAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });
  return app;
}
