import { eq } from 'drizzle-orm';
import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QboClient } from '../../../src/connectors/qbo/client.js';
import { createQboConnector } from '../../../src/connectors/qbo/connector.js';
import type { Database } from '../../../src/db/client.js';
import { connections, syncRuns } from '../../../src/db/schema/index.js';
import { createLogger } from '../../../src/lib/logger.js';
import { runSync } from '../../../src/sync/run.js';
import { createTestDatabase } from '../../support/db.js';
import { readFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';
import { REALM, seedConnection } from './helpers.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

// an Intuit-style access token (JWE compact, empty key segment: no JWT pattern catches it)
const ACCESS =
  'eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..Zq3vR8wY1pLk0sNtE4aHcQ.tUvWx9Yz2AbCdEfGhIjKlMnOpQrS';
// the fixture's own echoed fragment (a refresh-token-like value)
const FIXTURE_ECHO = 'AB01601390262kxzxOlnHYdhtEVRXISU7piPqQrCmmbDN35Yjd';

function capture() {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (s: string) => void lines.push(s) } as never);
  return { lines, logger };
}

const leaks = (text: string) =>
  [
    ACCESS,
    ACCESS.slice(0, 12),
    ACCESS.slice(-12),
    ACCESS.slice(0, 30),
    FIXTURE_ECHO,
    FIXTURE_ECHO.slice(0, 16),
  ].filter((s) => text.includes(s));

describe('QBO secrets', () => {
  it('keeps the token out of logs, errors and stored messages, even when the 401 echoes it', async () => {
    const body = JSON.parse(readFixture('qbo', 'fault-401-authentication-lowercase.json')) as {
      fault: { error: { detail: string }[] };
    };
    const echoing = structuredClone(body);
    echoing.fault.error[0]!.detail = `Token expired: ${ACCESS.slice(0, 30)}`;
    let n = 0;
    server.use(
      http.get(`https://quickbooks.api.intuit.com/v3/company/${REALM}/*`, () => {
        n++;
        return HttpResponse.json(n === 1 ? echoing : body, {
          status: 401,
          headers: { 'WWW-Authenticate': 'Bearer realm="Intuit", error="invalid_token"' },
        });
      }),
    );
    const { lines, logger } = capture();
    const ctx = {
      ...(await seedConnection(database.db, 'Secret LLP')),
      accessToken: async () => ACCESS,
      logger,
    };
    const report = await runSync(
      { db: database.db, logger },
      createQboConnector({ environment: 'production' }),
      ctx,
      { kinds: ['invoices'] },
    );
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('provider_auth_expired');
    // a direct call too: the error object as a whole, not only its message
    const client = new QboClient({
      realmId: REALM,
      accessToken: async () => ACCESS,
      environment: 'production',
      logger,
    });
    const e = await client.query('Invoice', null, 'Id', 1, 10).then(
      () => new Error('no error'),
      (x: unknown) => x as Error,
    );
    expect(e).toMatchObject({ code: 'provider_auth_expired' });
    const [run] = await database.db.select().from(syncRuns).where(eq(syncRuns.id, report.runId));
    const [conn] = await database.db.select().from(connections).where(eq(connections.id, ctx.connectionId));
    expect(lines.length).toBeGreaterThan(0);
    const everything = [
      ...lines,
      report.error?.message ?? '',
      run?.error ?? '',
      conn?.lastError ?? '',
      e.message,
      String(e.stack),
      JSON.stringify(e),
      JSON.stringify((e as { details?: unknown }).details),
      String((e as { cause?: unknown }).cause ?? ''),
    ].join('\n');
    expect(everything).toContain('AuthenticationFailed');
    expect(leaks(everything)).toEqual([]);
  });
});
