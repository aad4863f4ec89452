import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../src/cli/context.js';
import { buildProgram } from '../../../src/cli/index.js';
import { beginConsent } from '../../../src/connections/connect.js';
import { connectUrl } from '../../../src/connections/links.js';
import { rotateSecrets } from '../../../src/connections/rotate.js';
import { openTokens } from '../../../src/connections/tokens.js';
import { connections, grants, oauthStates } from '../../../src/db/schema/index.js';
import { encryptSecret, generateKeyEntry, SecretBox, secretBoxFor } from '../../../src/lib/crypto.js';
import { server } from '../../support/msw.js';
import { BASE, type Harness, harness, seedGrant, testConfig } from './harness.js';
import { fakeXero, xeroAccessToken, xeroRefreshToken } from './identity.js';

const k1 = generateKeyEntry('k1');
const k2 = generateKeyEntry('k2');
let h: Harness;
beforeAll(async () => {
  h = await harness(testConfig({ TOKEN_ENCRYPTION_KEYS: k1 }));
});
afterAll(async () => {
  await h?.close();
});

describe('secrets at rest', () => {
  it('keeps no plaintext token in the grant row, and after keys rotate every secret opens with the new key only', async () => {
    const xero = fakeXero({ redirectUri: `${BASE}/connect/xero/callback` });
    server.use(...xero.handlers);
    const tokens = { accessToken: xeroAccessToken(), refreshToken: xeroRefreshToken() };
    const { grantId, connectionIds } = await seedGrant(h, {
      provider: 'xero',
      tokens,
      accessExpiresAt: new Date(Date.now() + 3600_000),
    });
    const stripeKey = 'rk_live_51HxYzAbCdEfGhIjKlMnOpQr';
    await h.deps.db
      .update(connections)
      .set({ secretCiphertext: encryptSecret(h.deps.config, stripeKey) })
      .where(eq(connections.id, connectionIds[0]!));
    // an open consent: its PKCE verifier is sealed too
    const link = connectUrl(h.deps.config, h.clock.now(), {
      firmId: h.firm.id,
      provider: 'xero',
      actor: 'cli',
      apiKeyId: null,
    });
    await beginConsent(h.deps, 'xero', new URL(link.url).searchParams.get('t') ?? undefined);

    const [before] = await h.deps.db.select().from(grants).where(eq(grants.id, grantId));
    for (const t of [tokens.accessToken, tokens.refreshToken, tokens.refreshToken.slice(-16)])
      expect(before!.tokenCiphertext).not.toContain(t);
    expect(before!.tokenCiphertext!.startsWith('lb1.k1.')).toBe(true);

    const rotated = { ...h.deps.config, TOKEN_ENCRYPTION_KEYS: `${k2},${k1}` };
    const out: string[] = [];
    const ctx: CliContext = {
      config: rotated,
      logger: h.deps.logger,
      out: (l) => out.push(l),
      withDb: (_p, fn) => fn(h.database),
    };
    await buildProgram(ctx).parseAsync(['node', 'ledgerbridge', 'keys', 'rotate']);
    expect(out[0]).toMatch(/^re-encrypted 3 secrets with key k2/);

    const onlyNew = SecretBox.fromSpec(k2);
    const onlyOld = SecretBox.fromSpec(k1);
    const [g] = await h.deps.db.select().from(grants).where(eq(grants.id, grantId));
    expect(g!.tokenCiphertext!.startsWith('lb1.k2.')).toBe(true);
    expect(openTokens(onlyNew, grantId, g!.tokenCiphertext!)).toMatchObject(tokens);
    expect(() => openTokens(onlyOld, grantId, g!.tokenCiphertext!)).toThrow(/k2/);
    const [c] = await h.deps.db.select().from(connections).where(eq(connections.id, connectionIds[0]!));
    expect(onlyNew.open(c!.secretCiphertext!)).toBe(stripeKey);
    expect(() => onlyOld.open(c!.secretCiphertext!)).toThrow();
    const [s] = await h.deps.db.select().from(oauthStates);
    expect(onlyNew.kidOf(s!.codeVerifierCiphertext!)).toBe('k2');
    expect(onlyNew.open(s!.codeVerifierCiphertext!, `state:${s!.nonce}`)).toMatch(/^[A-Za-z0-9_-]{64}$/);

    // a second rotation has nothing left to do
    const again = await rotateSecrets(h.deps.db, secretBoxFor(rotated));
    expect(Object.values(again.resealed).reduce((a, b) => a + b, 0)).toBe(0);
    expect(again.alreadyCurrent).toBe(3);
  });
});
