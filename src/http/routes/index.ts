import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../deps.js';
import { bankStatementRoutes } from './bank-statements.js';
import { connectApiRoutes, connectPublicRoutes } from './connect.js';
import { connectionRoutes } from './connections.js';
import { decisionRoutes } from './decisions.js';
import { exceptionRoutes } from './exceptions.js';
import { keyRoutes } from './keys.js';
import { stripeRoutes } from './stripe.js';
import { syncRoutes } from './sync.js';
import { syncErrorRoutes } from './sync-errors.js';
import { webhookRoutes } from './webhooks.js';

/**
 * The route modules, one per area. /api/v1 modules are mounted behind the API key (paths relative to
 * /api/v1); public ones (OAuth callbacks, webhooks) at the root. An area adds its module here: one line.
 */
type ApiModule = (deps: AppDeps) => OpenAPIHono<AppEnv> | Hono<AppEnv>;
type PublicModule = (deps: AppDeps) => OpenAPIHono<AppEnv> | Hono<AppEnv>;

export const apiRouteModules: ApiModule[] = [
  exceptionRoutes,
  decisionRoutes,
  syncErrorRoutes,
  syncRoutes,
  bankStatementRoutes,
  connectApiRoutes,
  connectionRoutes,
  keyRoutes,
  stripeRoutes,
  // connections (issue 3), stripe/payments/payouts (issue 4), bank-statements (issue 7) …
];

export const publicRouteModules: PublicModule[] = [
  connectPublicRoutes,
  webhookRoutes,
  // OAuth callbacks (issue 3), webhooks (issue 4) …
];
