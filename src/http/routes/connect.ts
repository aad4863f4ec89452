import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { type Context, Hono } from 'hono';
import {
  beginConsent,
  type CallbackResult,
  chooseXeroOrgs,
  completeCallback,
  createConnectLink,
} from '../../connections/connect.js';
import { providerFor } from '../../connections/deps.js';
import { isOAuthProvider, redirectUri } from '../../connections/providers.js';
import { AppError } from '../../lib/errors.js';
import type { AppDeps, AppEnv } from '../deps.js';

const ProviderParam = z.object({
  provider: z.enum(['xero', 'qbo']).openapi({ param: { name: 'provider', in: 'path' }, example: 'xero' }),
});

const ConnectLink = z
  .object({
    provider: z.enum(['xero', 'qbo']),
    url: z
      .url()
      .openapi({ description: 'open in a browser before expiresAt: it redirects to the consent page' }),
    expiresAt: z.string(),
    redirectUri: z.url().openapi({ description: 'the callback to register with the provider' }),
  })
  .openapi('ConnectLink');

const connect = createRoute({
  method: 'post',
  path: '/connect/{provider}',
  summary: 'Start connecting Xero or QuickBooks Online: a short-lived signed link to open in a browser',
  security: [{ apiKey: [] }],
  request: { params: ProviderParam },
  responses: {
    201: { description: 'The connect link', content: { 'application/json': { schema: ConnectLink } } },
  },
});

/** /api/v1/connect/{provider}: behind the API key; the link carries the firm and the key's name. */
export function connectApiRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(connect, async (c) => {
    const { provider } = c.req.valid('param');
    providerFor(deps, provider); // not configured → 503 now, not in the browser later
    const link = createConnectLink(deps, {
      firmId: c.get('firmId'),
      provider,
      actor: c.get('actor'),
      apiKeyId: c.get('apiKeyId'),
    });
    return c.json(
      {
        provider,
        url: link.url,
        expiresAt: link.expiresAt.toISOString(),
        redirectUri: redirectUri(deps.config, provider),
      },
      201,
    );
  });
  return app;
}

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} · ledgerbridge</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2330}h1{font-size:1.4rem}label{display:block;margin:.4rem 0}button{margin-top:1rem;padding:.5rem 1.2rem;font:inherit}</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;

function resultPage(r: CallbackResult): string {
  if (r.kind === 'choose') {
    const boxes = r.orgs
      .map(
        (o) =>
          `<label><input type="checkbox" name="tenantId" value="${esc(o.tenantId)}" checked> ${esc(o.name)}</label>`,
      )
      .join('');
    return page(
      'Choose the Xero organisations to connect',
      `<p>This Xero login reaches ${r.orgs.length} organisations. Keep the ones ledgerbridge should sync for this firm.</p><form method="post" action="/connect/xero/choose"><input type="hidden" name="token" value="${esc(r.chooseToken)}">${boxes}<button type="submit">Connect</button></form>`,
    );
  }
  const names = r.connections.map((c) => `<li>${esc(c.displayName)} (${esc(c.tenantId)})</li>`).join('');
  return page(
    'Connected',
    `<p>ledgerbridge is now connected to:</p><ul>${names}</ul><p>You can close this window.</p>`,
  );
}

/**
 * A person's browser gets an HTML page for a failure (same status); API clients the problem+json of
 * the one onError (the error is rethrown).
 */
async function forBrowser(c: Context<AppEnv>, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof AppError) || !(c.req.header('accept') ?? '').includes('text/html')) throw e;
    return c.html(
      page(
        'Not connected',
        `<p>${esc(e.message)}</p><p>Nothing was stored. Ask for a new connect link and try again.</p>`,
      ),
      e.status as 400,
    );
  }
}

/**
 * The browser legs (no API key: the signed link and the state carry the firm):
 * GET /connect/{provider}?t=… → 302 to the consent page; GET /connect/{provider}/callback → exchange and
 * record; POST /connect/xero/choose → the organisations chosen when a grant reaches several.
 */
export function connectPublicRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const provider = (p: string) => {
    if (!isOAuthProvider(p)) throw new AppError('not_found', `no provider ${p} to connect`);
    return p;
  };
  app.get('/connect/:provider', (c) =>
    forBrowser(c, async () => {
      const url = await beginConsent(deps, provider(c.req.param('provider')), c.req.query('t'));
      return c.redirect(url, 302);
    }),
  );
  app.get('/connect/:provider/callback', (c) =>
    forBrowser(c, async () => {
      const result = await completeCallback(deps, provider(c.req.param('provider')), {
        code: c.req.query('code'),
        state: c.req.query('state'),
        realmId: c.req.query('realmId'),
        error: c.req.query('error'),
      });
      return c.html(resultPage(result), 200);
    }),
  );
  app.post('/connect/xero/choose', (c) =>
    forBrowser(c, async () => {
      const form = await c.req.parseBody({ all: true });
      const ids = form.tenantId;
      const tenantIds = (Array.isArray(ids) ? ids : ids === undefined ? [] : [ids]).filter(
        (v): v is string => typeof v === 'string',
      );
      const token = typeof form.token === 'string' ? form.token : undefined;
      const result = await chooseXeroOrgs(deps, { token, tenantIds });
      return c.html(resultPage(result), 200);
    }),
  );
  return app;
}
