import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { listApiKeys, revokeApiKey } from '../../db/repos/api-keys.js';
import type { AppDeps, AppEnv } from '../deps.js';

const KeyView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'the first characters, to tell keys apart; never the key' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('ApiKey');

const list = createRoute({
  method: 'get',
  path: '/keys',
  summary: "The firm's API keys (names and prefixes; a key is shown only once, when created)",
  security: [{ apiKey: [] }],
  responses: {
    200: {
      description: 'The keys',
      content: { 'application/json': { schema: z.object({ items: z.array(KeyView) }) } },
    },
  },
});

const revoke = createRoute({
  method: 'delete',
  path: '/keys/{id}',
  summary: 'Revoke an API key (the audit log names the key that did it)',
  security: [{ apiKey: [] }],
  request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: { description: 'The revoked key', content: { 'application/json': { schema: KeyView } } },
  },
});

const view = (k: Awaited<ReturnType<typeof listApiKeys>>[number]) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export function keyRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(list, async (c) =>
    c.json({ items: (await listApiKeys(deps.db, c.get('firmId'))).map(view) }, 200),
  );
  app.openapi(revoke, async (c) => {
    const k = await revokeApiKey(deps.db, {
      firmId: c.get('firmId'),
      keyId: c.req.valid('param').id,
      actor: c.get('actor'),
      actorKeyId: c.get('apiKeyId'),
    });
    return c.json(view(k), 200);
  });
  return app;
}
