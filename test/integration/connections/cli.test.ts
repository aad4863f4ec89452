import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../src/cli/context.js';
import { buildProgram } from '../../../src/cli/index.js';
import { type Harness, harness, seedGrant } from './harness.js';
import { xeroAccessToken, xeroRefreshToken } from './identity.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

async function run(args: string[]): Promise<string> {
  const out: string[] = [];
  const ctx: CliContext = {
    config: h.deps.config,
    logger: h.deps.logger,
    out: (l) => out.push(l),
    withDb: (_p, fn) => fn(h.database),
  };
  await buildProgram(ctx).parseAsync(['node', 'ledgerbridge', ...args]);
  return out.join('\n');
}

describe('ledgerbridge connections', () => {
  it('lists provider, organisation, status, scopes and token expiry of the firm, never a token', async () => {
    const tokens = { accessToken: xeroAccessToken(), refreshToken: xeroRefreshToken() };
    const expires = new Date(h.clock.now().getTime() + 1800_000);
    const { connectionIds } = await seedGrant(h, { provider: 'xero', tokens, accessExpiresAt: expires });
    const text = await run(['connections', '--firm', h.firm.name]);
    expect(text).toContain(connectionIds[0]!);
    expect(text).toContain('xero');
    expect(text).toContain('fe79f7dd-b6d4-4a92-ba7b-538af6289c58');
    expect(text).toContain('active');
    expect(text).toContain('accounting.invoices');
    expect(text).toContain(expires.toISOString());
    const json = await run(['connections', '--json']);
    for (const t of [text, json]) {
      expect(t).not.toContain(tokens.accessToken.slice(0, 40));
      expect(t).not.toContain(tokens.refreshToken.slice(0, 12));
      expect(t).not.toContain('lb1.');
    }
    expect(await run(['connections', '--firm', 'Other Firm 1'])).toMatch(/no connections yet/);
  });

  it('prints a connect link for the firm with `connections add xero`', async () => {
    const text = await run(['connections', 'add', 'xero', '--firm', h.firm.id]);
    expect(text).toMatch(/https:\/\/lb\.example\.test\/connect\/xero\?t=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    expect(text).toContain('https://lb.example.test/connect/xero/callback');
  });
});
