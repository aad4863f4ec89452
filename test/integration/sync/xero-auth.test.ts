import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xeroReplayHandlers } from '../../../src/connectors/xero/replay.js';
import { connections } from '../../../src/db/schema/index.js';
import { syncBooksConnection } from '../../../src/providers/index.js';
import { recordRequests, server } from '../../support/msw.js';
import { type Harness, harness, seedGrant } from '../connections/harness.js';
import { fakeXero } from '../connections/identity.js';

const dataset = JSON.parse(readFileSync('src/demo/data/xero-sample-firm.json', 'utf8')) as {
  tenantId: string;
};

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

describe('a Xero sync whose token Xero rejects', () => {
  it('refreshes the grant once and finishes the sync with the new token', async () => {
    const xero = fakeXero({ redirectUri: 'https://lb.example.test/connect/xero/callback' });
    server.use(...xero.handlers, ...xeroReplayHandlers(dataset as never));
    // the first API call is refused although our record says the token is still valid (revoked early)
    server.use(
      http.get(
        'https://api.xero.com/api.xro/2.0/Accounts',
        () =>
          HttpResponse.json(
            {
              Type: null,
              Title: 'Unauthorized',
              Status: 401,
              Detail: 'TokenExpired: token expired at 12/03/2026 10:00:00',
            },
            { status: 401 },
          ),
        { once: true },
      ),
    );
    const seen = recordRequests();
    const seeded = xero.seed();
    const { connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens: seeded,
      accessExpiresAt: new Date(h.clock.now().getTime() + 20 * 60_000),
      tenantIds: [dataset.tenantId],
    });
    const out = await syncBooksConnection(h.deps, connectionIds[0]!);
    expect(out.status).toBe('ran');
    if (out.status !== 'ran') return;
    expect(out.report.error).toEqual(undefined);
    expect(out.report.status).toBe('succeeded');

    const tokenCalls = seen.filter((r) => r.url === 'https://identity.xero.com/connect/token');
    expect(tokenCalls).toHaveLength(1);
    const api = seen.filter((r) => r.url.startsWith('https://api.xero.com/api.xro/2.0/'));
    expect(api[0]!.headers.get('authorization')).toBe(`Bearer ${seeded.accessToken}`);
    const after = api.slice(1).map((r) => r.headers.get('authorization'));
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(`Bearer ${seeded.accessToken}`);
    const [c] = await h.deps.db.select().from(connections).where(eq(connections.id, connectionIds[0]!));
    expect(c?.status).toBe('active');
    // no token in what was stored about the failure
    expect(JSON.stringify(c)).not.toContain(seeded.accessToken);
  });
});
