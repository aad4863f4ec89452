import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenFor } from '../../../src/connections/refresh.js';
import { connections, exceptions, grants } from '../../../src/db/schema/index.js';
import { server } from '../../support/msw.js';
import { BASE, type Harness, harness, seedGrant } from './harness.js';
import { fakeXero } from './identity.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

describe('reconnecting after invalid_grant', () => {
  it('the reconnect link from the exception restores the same connection, resolves the exception and retires the dead grant', async () => {
    const xero = fakeXero({ redirectUri: `${BASE}/connect/xero/callback` });
    server.use(...xero.handlers);
    const dead = xero.seed();
    xero.state.revoked.add(dead.refreshToken);
    const { grantId, connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens: dead,
      accessExpiresAt: new Date(h.clock.now().getTime() + 30_000),
    });
    const id = connectionIds[0]!;
    await expect(accessTokenFor(h.deps, id)()).rejects.toThrow(/reconnected/);
    const [ex] = await h.deps.db.select().from(exceptions).where(eq(exceptions.subjectId, id));
    expect(ex).toMatchObject({ kind: 'connection_needs_reauth', status: 'open' });
    const link = new URL((ex!.details as { reconnectUrl: string }).reconnectUrl);

    const start = await h.app.request(`${link.pathname}${link.search}`);
    expect(start.status).toBe(302);
    const { code, state } = xero.consent(start.headers.get('location')!);
    const cb = await h.app.request(`/connect/xero/callback?${new URLSearchParams({ code, state })}`);
    expect(cb.status).toBe(200);

    const [c] = await h.deps.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe('active');
    expect(c!.lastError).toBeNull();
    expect(c!.grantId).not.toBe(grantId);
    const [old] = await h.deps.db.select().from(grants).where(eq(grants.id, grantId));
    expect(old).toMatchObject({ status: 'revoked', tokenCiphertext: null });
    const [resolved] = await h.deps.db.select().from(exceptions).where(eq(exceptions.id, ex!.id));
    expect(resolved!.status).toBe('resolved');
    expect(await accessTokenFor(h.deps, id)()).toBe(xero.state.issued.at(-1)!.accessToken);
  });
});
