import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ExceptionKind, ExceptionStatus } from '../../canonical/index.js';
import { listExceptions } from '../../db/repos/exceptions.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { decodeCursor, PageQuery, pageOf, pageSchema } from '../pagination.js';

export const ExceptionView = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    status: ExceptionStatus,
    reason: z.string(),
    subject: z.object({ kind: z.string(), id: z.string() }),
    candidates: z.array(z.record(z.string(), z.unknown())),
    details: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .openapi('Exception');

const list = createRoute({
  method: 'get',
  path: '/exceptions',
  summary: 'The exceptions list: what needs a person',
  request: {
    query: PageQuery.extend({
      status: ExceptionStatus.optional(),
      kind: ExceptionKind.optional().openapi({ example: 'unmatched_receipt' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of exceptions',
      content: { 'application/json': { schema: pageSchema(ExceptionView) } },
    },
  },
});

export function exceptionRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const rows = await listExceptions(deps.db, {
      firmId: c.get('firmId'),
      status: q.status,
      kind: q.kind,
      limit: q.limit + 1,
      after: decodeCursor(q.cursor),
    });
    const page = pageOf(rows, q.limit, (r) => ({ k: r.createdAt.toISOString(), id: r.id }));
    return c.json(
      {
        items: page.items.map((r) => ({
          id: r.id,
          kind: r.kind,
          status: r.status as ExceptionStatus,
          reason: r.reason,
          subject: { kind: r.subjectKind, id: r.subjectId },
          candidates: r.candidates as Record<string, unknown>[],
          details: r.details as Record<string, unknown>,
          createdAt: r.createdAt.toISOString(),
          resolvedAt: r.resolvedAt?.toISOString() ?? null,
        })),
        nextCursor: page.nextCursor,
      },
      200,
    );
  });
  return app;
}
