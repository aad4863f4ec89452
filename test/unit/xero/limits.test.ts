import { delay, HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createXeroClient } from '../../../src/connectors/xero/client.js';
import { DailyLimitError, type Timer } from '../../../src/connectors/xero/limits.js';
import { jsonFixture } from '../../support/fixtures.js';
import { server } from '../../support/msw.js';

/** Virtual time: a sleep moves the clock to its wake-up time (never backwards). */
function fakeTimer(start = Date.parse('2026-12-03T09:00:00Z')): Timer & { sleeps: number[] } {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    async sleep(ms) {
      sleeps.push(ms);
      const target = t + ms;
      await new Promise((r) => setImmediate(r));
      t = Math.max(t, target);
    },
  };
}

const auth = { tenantId: 'tenant-a', accessToken: 'tok' };
const accounts = jsonFixture<{ Accounts: unknown[] }>('xero', 'accounts-list.response.json');
const limits = jsonFixture<Record<string, { headers: Record<string, string> }>>(
  'xero',
  'rate-limit-429.response.json',
);

describe('Xero limits', () => {
  it('keeps 300 calls for one org within 5 in flight and 60 in any minute', async () => {
    const timer = fakeTimer();
    const client = createXeroClient({ timer });
    let inFlight = 0;
    let maxInFlight = 0;
    const starts: number[] = [];
    server.use(
      http.get('https://api.xero.com/api.xro/2.0/Accounts', async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        starts.push(timer.now());
        await delay(2);
        inFlight--;
        return HttpResponse.json(accounts, { headers: limits.okResponseHeaders?.headers ?? {} });
      }),
    );
    await Promise.all(Array.from({ length: 300 }, () => client.list('Accounts', auth)));
    expect(starts).toHaveLength(300);
    expect(maxInFlight).toBeLessThanOrEqual(5);
    expect(maxInFlight).toBeGreaterThan(1);
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 60; i < sorted.length; i++)
      expect(sorted[i]! - sorted[i - 60]!).toBeGreaterThanOrEqual(60_000);
    // 300 calls at 60 a minute need four further minutes after the first batch
    expect(sorted.at(-1)! - sorted[0]!).toBe(240_000);
  }, 30_000);

  it('waits the 7 seconds a 429 Retry-After says, then succeeds', async () => {
    const timer = fakeTimer();
    const client = createXeroClient({ timer });
    const at: number[] = [];
    server.use(
      http.get('https://api.xero.com/api.xro/2.0/Accounts', () => {
        at.push(timer.now());
        if (at.length === 1)
          return new HttpResponse(null, {
            status: 429,
            headers: { 'retry-after': '7', 'x-rate-limit-problem': 'minute', 'x-minlimit-remaining': '0' },
          });
        return HttpResponse.json(accounts);
      }),
    );
    const res = await client.list('Accounts', auth);
    expect(res.items).toHaveLength(2);
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBe(7_000);
    expect(timer.sleeps).toEqual([7_000]);
  });

  it('stops on the daily limit with the time it lifts instead of retrying', async () => {
    const timer = fakeTimer();
    const client = createXeroClient({ timer });
    let calls = 0;
    server.use(
      http.get('https://api.xero.com/api.xro/2.0/Accounts', () => {
        calls++;
        return new HttpResponse('', { status: 429, headers: limits.dayLimit!.headers });
      }),
    );
    const e = await client.list('Accounts', auth).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DailyLimitError);
    expect((e as DailyLimitError).until.getTime()).toBe(timer.now() + 66_975_000);
    expect(calls).toBe(1);
    // the org stays held: the next call does not go out
    await expect(client.list('Accounts', auth)).rejects.toBeInstanceOf(DailyLimitError);
    expect(calls).toBe(1);
  });

  it('holds every org when the app-wide minute budget is spent', async () => {
    const timer = fakeTimer();
    const client = createXeroClient({ timer });
    const at: number[] = [];
    server.use(
      http.get('https://api.xero.com/api.xro/2.0/Accounts', () => {
        at.push(timer.now());
        return HttpResponse.json(accounts, {
          headers: { 'x-appminlimit-remaining': at.length === 1 ? '0' : '5' },
        });
      }),
    );
    await client.list('Accounts', auth);
    await client.list('Accounts', { ...auth, tenantId: 'tenant-b' });
    expect(at[1]! - at[0]!).toBe(60_000);
  });

  it('classifies a Journals tier refusal apart from an expired token', async () => {
    const client = createXeroClient({ timer: fakeTimer() });
    const refusal = jsonFixture('xero', 'auth-401-authorization-unsuccessful.journals-tier.json');
    server.use(
      http.get('https://api.xero.com/api.xro/2.0/Journals', () =>
        HttpResponse.json(refusal as object, { status: 401 }),
      ),
      http.get('https://api.xero.com/api.xro/2.0/Accounts', () =>
        HttpResponse.json(
          {
            Type: null,
            Title: 'Unauthorized',
            Status: 401,
            Detail: 'TokenExpired: token expired at 12/03/2026 09:00:00',
          },
          { status: 401 },
        ),
      ),
    );
    await expect(client.journals({ ...auth, offset: 0 })).rejects.toMatchObject({
      code: 'provider_forbidden',
      details: { reason: 'authorization_unsuccessful' },
    });
    await expect(client.list('Accounts', auth)).rejects.toMatchObject({ code: 'provider_auth_expired' });
  });
});
