import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { disconnectConnection, getConnection, listConnections } from '../../connections/lifecycle.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { decodeCursor, PageQuery, pageOf, pageSchema } from '../pagination.js';

export const ConnectionViewSchema = z
  .object({
    id: z.uuid(),
    provider: z.string(),
    org: z.object({
      name: z.string(),
      tenantId: z.string().nullable(),
      providerConnectionId: z.string().nullable(),
    }),
    status: z.enum(['active', 'needs_reauth', 'revoked', 'disconnected']).or(z.string()),
    scopes: z.array(z.string()),
    tokenExpiresAt: z.string().nullable(),
    refreshExpiresAt: z.string().nullable(),
    refreshHardExpiresAt: z.string().nullable(),
    lastRefreshedAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastSyncedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Connection');

const IdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

const list = createRoute({
  method: 'get',
  path: '/connections',
  summary:
    "The firm's connections: provider, organisation, status, scopes, token expiry, last error (never a token)",
  security: [{ apiKey: [] }],
  request: { query: PageQuery },
  responses: {
    200: {
      description: 'A page of connections',
      content: { 'application/json': { schema: pageSchema(ConnectionViewSchema) } },
    },
  },
});

const getOne = createRoute({
  method: 'get',
  path: '/connections/{id}',
  summary: 'One connection',
  security: [{ apiKey: [] }],
  request: { params: IdParam },
  responses: {
    200: { description: 'The connection', content: { 'application/json': { schema: ConnectionViewSchema } } },
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/connections/{id}',
  summary:
    'Disconnect: Xero DELETE /connections/{id} (and revoke the grant when it was the last), QBO revoke; tokens deleted',
  security: [{ apiKey: [] }],
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The connection, now disconnected',
      content: { 'application/json': { schema: ConnectionViewSchema } },
    },
  },
});

export function connectionRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(list, async (c) => {
    const q = c.req.valid('query');
    const rows = await listConnections(deps, {
      firmId: c.get('firmId'),
      limit: q.limit + 1,
      after: decodeCursor(q.cursor),
    });
    const page = pageOf(rows, q.limit, (r) => ({ k: r.createdAt, id: r.id }));
    return c.json({ items: page.items.map(({ firmId: _f, ...v }) => v), nextCursor: page.nextCursor }, 200);
  });
  app.openapi(getOne, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getConnection(deps, c.get('firmId'), id), 200);
  });
  app.openapi(remove, async (c) => {
    const { id } = c.req.valid('param');
    const view = await disconnectConnection(deps, {
      firmId: c.get('firmId'),
      connectionId: id,
      actor: c.get('actor'),
      apiKeyId: c.get('apiKeyId'),
    });
    return c.json(view, 200);
  });
  return app;
}
