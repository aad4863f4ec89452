import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../lib/errors.js';
import type { AppDeps, AppEnv } from './deps.js';
import { onError, problem, problemResponse, zodFields } from './errors.js';
import { requireApiKey } from './middleware/auth.js';
import { healthRoutes } from './routes/health.js';
import { apiRouteModules, publicRouteModules } from './routes/index.js';

/**
 * The HTTP app: health checks, public endpoints (OAuth callbacks, webhooks: they verify their own
 * signatures), and /api/v1 behind an API key. Built from its dependencies, so tests drive it with
 * `app.request()`.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return problemResponse(
          c,
          problem('validation_failed', 'the request does not match the API', {
            fields: zodFields(result.error),
          }),
        );
      }
    },
  });
  app.onError(onError(deps.logger));
  app.notFound((c) => problemResponse(c, problem('not_found', `no route ${c.req.method} ${c.req.path}`)));

  app.route('/', healthRoutes(deps));
  for (const mod of publicRouteModules) app.route('/', mod(deps));

  const api = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return problemResponse(
          c,
          problem('validation_failed', 'the request does not match the API', {
            fields: zodFields(result.error),
          }),
        );
      }
    },
  });
  api.use('*', requireApiKey(deps.db));
  api.use(
    '*',
    bodyLimit({
      maxSize: 20 * 1024 * 1024,
      onError: () => {
        throw new AppError('payload_too_large', 'the request body is larger than 20 MiB');
      },
    }),
  );
  for (const mod of apiRouteModules) api.route('/', mod(deps));
  app.route('/api/v1', api);

  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'ledgerbridge',
      version: '1',
      description: 'Send `Authorization: Bearer <api key>` to /api/v1.',
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer' });
  return app;
}
