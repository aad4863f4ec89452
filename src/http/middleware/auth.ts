import type { MiddlewareHandler } from 'hono';
import { authenticateApiKey } from '../../db/repos/api-keys.js';
import type { Db } from '../../db/types.js';
import { AppError } from '../../lib/errors.js';
import type { AppEnv } from '../deps.js';

/**
 * /api/v1/* requires `Authorization: Bearer <key>`. The key decides the firm: every query the routes make
 * is scoped by `c.get('firmId')`, and its name is the actor written to the audit log.
 */
export function requireApiKey(db: Db): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) {
      throw new AppError(
        'unauthorized',
        'send an API key as "Authorization: Bearer <key>" (ledgerbridge keys create)',
      );
    }
    const key = await authenticateApiKey(db, m[1]);
    if (!key) throw new AppError('unauthorized', 'the API key is unknown or revoked');
    c.set('firmId', key.firmId);
    c.set('actor', key.name);
    c.set('apiKeyId', key.id);
    await next();
  };
}
